import { type Database, withTenant } from "@autopilot/db";
import { initialState, step } from "@autopilot/engine";
import { engineContext } from "../conversations/engine-context.js";
import { engineHours, loadBusinessHours } from "../domain/business-hours.js";
import { loadSnapshot } from "./snapshot.js";

/** "Try it": what a new conversation on the current routes would do with this first message. */
export async function tryRoute(db: Database, tenantId: string, timeZone: string, text: string) {
  const { snapshot, hours } = await withTenant(db, tenantId, async (tx) => ({
    snapshot: await loadSnapshot(tx, tenantId),
    hours: engineHours(await loadBusinessHours(tx, tenantId)),
  }));
  const ctx = engineContext({
    routes: snapshot.routes,
    model: snapshot.model,
    routesVersion: snapshot.version,
    channel: "web",
    timeZone,
    businessHours: hours,
    aiAvailable: false,
    seed: 1,
  });
  const selection = ctx.selectRoute(text);
  const result = step(initialState(String(snapshot.version)), { text }, ctx);
  const selected = result.events.find((e) => e.type === "route.selected");
  return {
    version: snapshot.version,
    routeId: selected?.type === "route.selected" ? selected.routeId : null,
    confidence: selection.top?.confidence ?? selection.candidates[0]?.confidence ?? 0,
    candidates: selection.candidates.map((c) => ({ routeId: c.routeId, confidence: c.confidence })),
    replies: result.replies.map((r) => ({ kind: r.kind, text: r.text, quickReplies: r.quickReplies ?? [] })),
    reply: result.replies.map((r) => r.text).join("\n") || null,
  };
}
