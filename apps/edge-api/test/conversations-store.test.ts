import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { type ConversationStore, SCHEMA_VERSION } from "../src/conversations/store.js";
import { startConversation, tenantWithWidget } from "./conversation-helpers.js";

// The conversation object's own storage (issue 16, item 3): its tables carry a schema version, and a
// value under a key with a schema (meta, timers, the pending turn, the routes snapshot) is checked
// before it is written, so nothing the object cannot read back is ever stored.

const storeOf = (instance: ConversationDO) =>
  (instance as unknown as { core: { store: ConversationStore } }).core.store;

describe("conversation storage", () => {
  it("is versioned, and refuses to write a value that does not fit its key's schema", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    await runInDurableObject(conversationStub(env, t.tenantId, c.id), (instance: ConversationDO) => {
      const store = storeOf(instance);
      expect(store.get("schemaVersion")).toBe(SCHEMA_VERSION);
      const meta = store.get<Record<string, unknown>>("meta");
      expect(meta?.id).toBe(c.id);
      expect(() => store.put("meta", { ...meta, messageCount: -1 })).toThrow();
      expect(() => store.put("meta", { ...meta, status: "sleeping" })).toThrow();
      expect(() => store.put("timers", { slaAt: "tomorrow" })).toThrow();
      expect(() => store.put("pendingTurn", { seq: 0, text: "hi" })).toThrow();
      expect(() => store.put("snapshot", { version: 1, routes: [{}], model: {} })).toThrow();
      // Nothing of that was written.
      expect(store.get("meta")).toEqual(meta);
      expect(store.get("timers")).not.toEqual({ slaAt: "tomorrow" });
      expect(store.get("pendingTurn")).toBeUndefined();
    });
  });
});
