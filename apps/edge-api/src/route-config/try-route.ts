import { type Database, withTenant } from "@autopilot/db";
import { initialState } from "@autopilot/engine";
import type { AiKeys } from "../ai/keys.js";
import { offlineProvider } from "../ai/provider.js";
import { engineContext } from "../conversations/engine-context.js";
import { runTurn } from "../conversations/run-turn.js";
import { engineHours, loadBusinessHours } from "../domain/business-hours.js";
import { knowledgeForTurn } from "../knowledge/answer.js";
import { loadSnapshot } from "./snapshot.js";

/** What answered the message, as the owner should read it. */
export type TryOutcome = "playbook" | "knowledge" | "unanswered" | "handoff" | "fallback";

/**
 * "Try it" and the onboarding test chat: what a new conversation on the current routes would answer to
 * this first message, through the same turn as the widget (routes, knowledge retrieval with its
 * grounding, handoff). Offline: trying never spends the tenant's AI budget, so with a model configured
 * the customer may see the same content phrased by it.
 */
export async function tryRoute(
  db: Database,
  tenantId: string,
  timeZone: string,
  text: string,
  keys: AiKeys = {},
) {
  const { snapshot, hours } = await withTenant(db, tenantId, async (tx) => ({
    snapshot: await loadSnapshot(tx, tenantId),
    hours: engineHours(await loadBusinessHours(tx, tenantId)),
  }));
  const selection = engineContext({
    routes: snapshot.routes,
    model: snapshot.model,
    routesVersion: snapshot.version,
    channel: "web",
    timeZone,
    businessHours: hours,
    aiAvailable: false,
    seed: 1,
  }).selectRoute(text);
  const { result } = await runTurn({
    state: initialState(String(snapshot.version)),
    text,
    snapshot,
    conversationId: "00000000-0000-4000-8000-000000000000",
    channel: "web",
    timeZone,
    businessHours: hours,
    ai: { provider: offlineProvider, allowed: async () => false, charge: async () => {}, deadlineMs: 0 },
    knowledge: (queries) => knowledgeForTurn(db, tenantId, queries, keys),
  });
  const selected = result.events.find((e) => e.type === "route.selected");
  const routeId = selected?.type === "route.selected" ? selected.routeId : null;
  const has = (type: string) => result.events.some((e) => e.type === type);
  const outcome: TryOutcome =
    has("handoff.requested") || result.commands.some((c) => c.type === "handoff")
      ? "handoff"
      : routeId
        ? "playbook"
        : has("knowledge.answered")
          ? "knowledge"
          : has("knowledge.unanswered")
            ? "unanswered"
            : "fallback";
  return {
    version: snapshot.version,
    routeId,
    routeName: snapshot.routes.find((r) => r.id === routeId)?.name ?? null,
    outcome,
    confidence: selection.top?.confidence ?? selection.candidates[0]?.confidence ?? 0,
    candidates: selection.candidates.map((c) => ({ routeId: c.routeId, confidence: c.confidence })),
    replies: result.replies.map((r) => ({
      kind: r.kind,
      text: r.text,
      quickReplies: r.quickReplies ?? [],
      sources: (r.sources ?? []).filter((s) => s.url).map((s) => ({ url: s.url, title: s.title ?? null })),
    })),
    reply: result.replies.map((r) => r.text).join("\n") || null,
  };
}
