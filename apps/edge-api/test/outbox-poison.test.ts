import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import type { ConversationStore } from "../src/conversations/store.js";
import { say, startConversation, tenantWithWidget } from "./conversation-helpers.js";
import { ownerDb } from "./helpers.js";

// An outbox row Postgres refuses as it is (issue 15, item 8) is set aside with its reason, visibly, and
// never blocks the rows behind it nor is retried forever; rows refused because the database is down
// keep waiting (conversations-actions.test.ts).

const messageRow = (conversationId: string, seq: number, text: string) => ({
  t: "message",
  row: {
    id: crypto.randomUUID(),
    conversationId,
    seq,
    sender: "visitor",
    authorId: null,
    text,
    data: {},
    createdAt: new Date().toISOString(),
  },
});

describe("outbox rows that can never be delivered", () => {
  it("are set aside with the reason; the rows behind them are delivered; a later drain leaves them be", async () => {
    const t = await tenantWithWidget([]);
    const c = await startConversation(t);
    await say(c, "hello");
    const stub = conversationStub(env, t.tenantId, c.id);
    const poison = messageRow(c.id, 900, "bad \u0000 byte");
    const fine = messageRow(c.id, 901, "a fine message behind it");
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      const store = (instance as unknown as { core: { store: ConversationStore } }).core.store;
      store.enqueue("pg", poison);
      store.enqueue("pg", fine);
      store.enqueue("pg", { t: "message", row: { id: "not a uuid" } });
      await instance.drain(true);
      await instance.drain(true);
    });
    const status = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
    expect(status.pending.filter((p) => p.kind === "pg")).toEqual([]);
    expect(status.parked).toHaveLength(2);
    expect(status.parked.map((p) => p.error).join("\n")).toMatch(/not a valid item/);
    const db = ownerDb();
    try {
      const rows = await db.query<{ id: string }>("select id from messages where id = any($1::uuid[])", [
        [poison.row.id, fine.row.id],
      ]);
      expect(rows.map((r) => r.id)).toEqual([fine.row.id]);
    } finally {
      await db.end();
    }
  });
});
