import { env, runInDurableObject } from "cloudflare:test";
import type { AppEvent } from "@autopilot/sdk";
import { describe, expect, it } from "vitest";
import { replayPendingDeadLetters } from "../src/analytics/replay.js";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { defaultSinks } from "../src/conversations/sinks.js";
import { createLogger } from "../src/lib/log.js";
import { deliver, fold, inspect } from "./analytics-helpers.js";
import { say, startConversation, tenantWithWidget, texts } from "./conversation-helpers.js";
import { call, ownerDb } from "./helpers.js";

// The fault test (issue 15): the database stops mid-conversation, for longer than the events queue's
// retry window, and comes back. The conversation, its actions and the analytics consumer reach the
// database through a proxy that cuts every connection and refuses new ones while "down" (a stopped
// server). Afterwards every message, the lead and every analytics event are in Postgres exactly once.

const demoRoute = {
  id: "demo",
  name: "Book a demo",
  description: "Customer wants a product demo",
  examples: ["I want a demo", "can I book a demo", "show me a demo please"],
  steps: [
    {
      id: "ask_email",
      kind: "ask",
      prompt: "Your email?",
      field: { name: "email", label: "Email", type: "email" },
      next: "lead",
    },
    { id: "lead", kind: "action", action: { type: "create_lead" }, next: "tag" },
    { id: "tag", kind: "action", action: { type: "tag", tags: ["demo"] }, next: "done" },
    { id: "done", kind: "end", message: "Thanks, you're booked in." },
  ],
};

const outage = (state: "down" | "up") => fetch(`${env.OUTAGE_CONTROL_URL}/${state}`, { method: "POST" });

describe("a database outage longer than the retry window", () => {
  it("loses nothing and doubles nothing: messages, the lead and every analytics event land once", async () => {
    const t = await tenantWithWidget([demoRoute]);
    const c = await startConversation(t);
    const stub = conversationStub(env, t.tenantId, c.id);
    const throughProxy = { ...env, DB_BRIDGE: env.OUTAGE_BRIDGE };
    // The events this conversation hands to the queue, delivered below to the real consumer.
    const queued: AppEvent[] = [];
    await runInDurableObject(stub, (instance: ConversationDO) => {
      Object.assign(instance, { env: { ...throughProxy, CONVERSATION_DB_TIMEOUT_MS: "1000" } });
      instance.sinks = {
        ...defaultSinks(throughProxy),
        events: { sendBatch: async (batch) => void queued.push(...batch.map((m) => m.body as AppEvent)) },
      };
    });
    try {
      await outage("down");
      // The customer is answered throughout.
      expect(texts(await say(c, "I want a demo"))).toContain("Your email?");
      const email = `outage-${crypto.randomUUID().slice(0, 8)}@buyer.test`;
      expect(texts(await say(c, email))).toEqual(["Thanks, you're booked in."]);
      await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
      const waiting = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
      expect(waiting.pending.find((p) => p.kind === "action")?.count).toBe(2);
      expect(waiting.pending.find((p) => p.kind === "pg")?.count).toBeGreaterThan(0);

      // The events queue: the consumer retries every event while the database is down…
      await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
      expect(queued.length).toBeGreaterThan(3);
      const first = await deliver(queued, "events", throughProxy);
      expect(first.explicitAcks).toEqual([]);
      expect(first.retryMessages).toHaveLength(queued.length);
      // …and once the queue's retries are spent, the dead-letter consumer keeps them (retries too).
      const dead = await deliver(queued, "events-dlq", throughProxy);
      expect(dead.explicitAcks).toEqual([]);
      expect(dead.retryMessages).toHaveLength(queued.length);
    } finally {
      await outage("up");
    }

    // Back: the conversation's outbox runs, as its alarm would, until nothing waits (on a loaded CI
    // machine one pass right after the outage has been seen to leave rows waiting), then once more to show a later pass finds nothing to do.
    let pending = (await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending;
    for (let pass = 0; pass < 5 && pending.length > 0; pass++) {
      await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
      pending = (await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending;
    }
    expect(pending).toEqual([]);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    expect((await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending).toEqual([]);
    // The dead letters are stored, the cron replays them into the queue, and a late retry of the
    // original delivery arrives too (at least once): each event is counted once.
    expect((await deliver(queued, "events-dlq", throughProxy)).explicitAcks).toHaveLength(queued.length);
    const db = ownerDb();
    try {
      await replayPendingDeadLetters(db, env.EVENTS, createLogger({ test: "outage" }));
    } finally {
      await db.end();
    }
    expect((await deliver(queued, "events", throughProxy)).explicitAcks).toHaveLength(queued.length);

    const ids = queued.map((e) => e.id);
    let landed: { id: string; n: number }[] = [];
    for (let i = 0; i < 100; i++) {
      landed = await inspect<{ id: string; n: number }>(
        "select id::text, count(*)::int as n from analytics_events where id = any($1::uuid[]) group by id",
        [ids],
      );
      if (landed.length === ids.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(landed).toHaveLength(ids.length);
    expect(landed.every((r) => r.n === 1)).toBe(true);
    const received = queued.filter((e) => e.type === "message.received").length;
    await fold(t.tenantId);
    const [rollup] = await inspect<{ n: number }>(
      "select coalesce(sum(count), 0)::int as n from analytics_rollups where tenant_id = $1 and type = 'message.received'",
      [t.tenantId],
    );
    expect(rollup?.n).toBe(received);

    // Postgres has the whole transcript once, the right count, and one lead with its tag.
    const transcript = (await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth })).json
      .messages as { id: string }[];
    const [conv] = await inspect<{ message_count: number; stored: number; distinct_ids: number }>(
      `select c.message_count,
              (select count(*)::int from messages m where m.conversation_id = c.id) as stored,
              (select count(distinct id)::int from messages m where m.conversation_id = c.id) as distinct_ids
       from conversations c where c.id = $1`,
      [c.id],
    );
    expect(conv?.stored).toBeGreaterThanOrEqual(transcript.length);
    expect(conv?.distinct_ids).toBe(conv?.stored);
    expect(conv?.message_count).toBe(conv?.stored);
    const leads = await inspect<{ tags: string[] }>(
      "select c.tags from leads l join contacts c on c.id = l.contact_id where l.conversation_id = $1",
      [c.id],
    );
    expect(leads).toEqual([{ tags: ["demo"] }]);
  });
});
