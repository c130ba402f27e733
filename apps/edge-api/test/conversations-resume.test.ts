import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BotTurns } from "../src/conversations/bot-turns.js";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import type { ConversationCore } from "../src/conversations/core.js";
import { say, startConversation, tenantWithWidget } from "./conversation-helpers.js";
import { call, ownerDb } from "./helpers.js";

// Interrupted turns (issue 15, item 15): an object stopped mid-turn keeps the visitor's stored message
// but forgets the turn in flight and the meta it had not saved yet. The alarm answers the message, and
// the message count is derived from the transcript, so Postgres ends up right.

/** The parts of the object a stop leaves behind or forgets (private fields, reached for the test). */
type Internals = { core: ConversationCore; turns: BotTurns };

async function pgCounts(conversationId: string) {
  const db = ownerDb();
  try {
    const [row] = await db.query<{ message_count: number; stored: number }>(
      `select c.message_count, (select count(*)::int from messages m where m.conversation_id = c.id) as stored
       from conversations c where c.id = $1`,
      [conversationId],
    );
    return row;
  } finally {
    await db.end();
  }
}

describe("interrupted turns", () => {
  it("a stored visitor message whose turn was lost is answered by the alarm, and the counts come out right", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    expect((await say(c, "hello")).status).toBe(200);
    const stub = conversationStub(env, t.tenantId, c.id);
    // What a stop mid-turn leaves: the message stored with its pending turn, the meta as last saved
    // (its count one short), nothing of the turn in memory.
    await runInDurableObject(stub, (instance: ConversationDO) => {
      const o = instance as unknown as Internals;
      const m = o.core.append("visitor", null, "what are your prices");
      o.core.store.put("pendingTurn", { seq: m.seq, text: "what are your prices" });
      o.core.forget();
      o.turns.running = false;
    });
    await runDurableObjectAlarm(stub);
    const history = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    const messages = history.json.messages as { sender: string; text: string }[];
    const asked = messages.findIndex((m) => m.text === "what are your prices");
    expect(asked).toBeGreaterThan(0);
    expect(messages.slice(asked + 1).map((m) => m.text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/quote/i), "Which plan?"]),
    );
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      expect((instance as unknown as Internals).core.store.get("pendingTurn")).toBeUndefined();
      await instance.drain(true);
    });
    const counts = await pgCounts(c.id);
    expect(counts?.stored).toBe(messages.length);
    expect(counts?.message_count).toBe(messages.length);
    // A second alarm does not answer the same message again.
    await runInDurableObject(stub, (instance: ConversationDO) => instance.alarm());
    const again = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    expect(again.json.messages).toHaveLength(messages.length);
  });

  it("a turn still running in this object is left to finish (no second answer)", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    const stub = conversationStub(env, t.tenantId, c.id);
    const before = (await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth })).json
      .messages.length;
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      const o = instance as unknown as Internals;
      const m = o.core.append("visitor", null, "what are your prices");
      o.core.store.put("pendingTurn", { seq: m.seq, text: "what are your prices" });
      o.turns.running = true; // the model is still thinking
      await instance.alarm();
      expect(o.core.store.get("pendingTurn")).toBeDefined();
      const timers = o.core.store.get<{ turnAt?: number }>("timers");
      expect(timers?.turnAt).toBeGreaterThan(Date.now() + 30_000); // looked at again later
      o.turns.running = false;
    });
    const after = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    expect(after.json.messages).toHaveLength(before + 1); // the message, no reply yet
  });
});
