import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { AppEvent } from "@autopilot/sdk";
import { describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { say, startConversation, type Tenant, tenantWithWidget, texts } from "./conversation-helpers.js";
import { call } from "./helpers.js";

// The one alarm multiplexes inactivity, the first-response SLA and outbox retries. Instead of waiting
// minutes, a test moves a timer into the past in the DO's storage and runs the alarm workerd scheduled.

type Timers = { inactivityAt?: number; slaAt?: number };

/** Starts a conversation whose DO sends its events to `events` instead of the queue. */
async function watched(t: Tenant) {
  const c = await startConversation(t);
  const stub = conversationStub(env, t.tenantId, c.id);
  const events: AppEvent[] = [];
  await runInDurableObject(stub, (instance: ConversationDO) => {
    instance.sinks = {
      ...instance.sinks,
      events: { sendBatch: async (b) => void events.push(...b.map((m) => m.body)) },
    };
  });
  return { c, stub, events };
}

/** Waits (bounded) for the DO to have an alarm: a running alarm (an outbox drain) sets the next as it ends. */
async function alarmSet(stub: ReturnType<typeof conversationStub>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const at = await runInDurableObject(stub, (_i: ConversationDO, state) => state.storage.getAlarm());
    if (at !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no alarm scheduled within 5 s");
}

/** Moves the named timer to the past, then runs the DO's scheduled alarm (false when none was set). */
async function expire(stub: ReturnType<typeof conversationStub>, key: keyof Timers): Promise<boolean> {
  await alarmSet(stub);
  await runInDurableObject(stub, async (_i: ConversationDO, state) => {
    const row = state.storage.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'timers'")
      .one();
    const timers = JSON.parse(row.value) as Timers;
    expect(timers[key], `${key} is set`).toBeTypeOf("number");
    timers[key] = Date.now() - 1;
    state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'timers'", JSON.stringify(timers));
  });
  return runDurableObjectAlarm(stub);
}

const ofType = (events: AppEvent[], type: string) => events.filter((e) => e.type === type);

describe("conversation alarm", () => {
  it("closes an inactive conversation and asks for a rating", async () => {
    const t = await tenantWithWidget();
    const { c, stub, events } = await watched(t);
    await say(c, "hello");
    expect(await expire(stub, "inactivityAt")).toBe(true);
    const seen = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    expect(seen.json.conversation.status).toBe("closed");
    expect(seen.json.messages.at(-1)).toMatchObject({
      sender: "bot",
      data: { kind: "csat_request", quickReplies: ["1", "2", "3", "4", "5"] },
    });
    const closed = ofType(events, "conversation.closed");
    expect(closed).toHaveLength(1);
    expect(closed[0]?.properties).toMatchObject({ reason: "inactive" });
    // Closed means closed: the visitor can only rate it now.
    expect((await say(c, "anyone there?")).status).toBe(409);
    const rated = await call(`/v1/widget/conversations/${c.id}/csat`, {
      body: { score: 4 },
      headers: c.auth,
    });
    expect(rated.json.csatScore).toBe(4);
  });

  it("a handoff waits for a human; the first-response SLA breach is reported once", async () => {
    const t = await tenantWithWidget();
    const { c, stub, events } = await watched(t);
    const res = await say(c, "talk to a human");
    expect(res.json.conversation.status).toBe("waiting");
    expect(texts(res).length).toBeGreaterThan(0);
    expect(await expire(stub, "slaAt")).toBe(true);
    const breached = ofType(events, "sla.breached");
    expect(breached).toHaveLength(1);
    expect(breached[0]?.properties).toMatchObject({ kind: "first_response", ownerId: null });
    // Once reported, the SLA timer is gone; the conversation still waits for a human.
    await runInDurableObject(stub, (_i: ConversationDO, state) => {
      const row = state.storage.sql
        .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'timers'")
        .one();
      expect((JSON.parse(row.value) as Timers).slaAt).toBeUndefined();
    });
    await runDurableObjectAlarm(stub);
    expect(ofType(events, "sla.breached")).toHaveLength(1);
    const seen = await call(`/v1/conversations/${c.id}`, { headers: t.auth });
    expect(seen.json.conversation.status).toBe("waiting");
  });

  it("a handoff notifies the team in the app and through the Mailer", async () => {
    const t = await tenantWithWidget();
    const { c, stub } = await watched(t);
    await say(c, "talk to a human");
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const inApp = await call("/v1/notifications", { headers: t.auth });
    expect(inApp.status, JSON.stringify(inApp.json)).toBe(200);
    const handoffs = inApp.json.notifications.filter((n: { kind: string }) => n.kind === "handoff");
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]).toMatchObject({
      title: "A customer is waiting for a human",
      data: { conversationId: c.id },
    });
    const mail = await call("/v1/mail", { headers: t.auth });
    const sent = mail.json.mail.filter((m: { to: string; subject: string }) => m.subject.includes("waiting"));
    expect(sent).toHaveLength(1);
    expect(sent[0].to).toBe(t.email);
    expect(sent[0].text).toContain(`/inbox/${c.id}`);
    // A second drain sends nothing twice.
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const again = await call("/v1/notifications", { headers: t.auth });
    expect(again.json.notifications.filter((n: { kind: string }) => n.kind === "handoff")).toHaveLength(1);
  });
});
