import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall, upgradeInstall } from "../src/plugins/installs.js";
import { say, startConversation, tenantWithWidget, texts } from "./conversation-helpers.js";
import { ownerDb } from "./helpers.js";

// A playbook's call_plugin step (issue 17, item 5): the installed plugin's action runs inside the
// visitor's turn and may give the visitor a line; a plugin that is down leaves the action waiting in
// the conversation's outbox, and it runs once the plugin answers again.

const plugin = (behaviour: string) => `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    ${behaviour}
    if (call.kind === "action" && call.name === "book")
      return { ok: true, value: { message: "Booked for " + call.input.email + "." } };
    return { ok: false, error: { code: "not_handled", message: "?" } };
  }
}`;
const DOWN = plugin(`throw new Error("the booking service is down");`);
const UP = plugin("");

const manifest = (version: string) => ({
  id: "acme/booking",
  name: "Booking",
  version,
  engine: "^1.0.0",
  kinds: ["action"],
  actions: [
    {
      name: "book",
      title: "Book a call",
      input: {
        type: "object",
        required: ["email"],
        properties: { email: { type: "string", format: "email" } },
      },
    },
  ],
});

const route = {
  id: "book",
  name: "Book a call",
  examples: ["book a call", "I want to book a call", "can we schedule a call", "call booking"],
  steps: [
    {
      id: "ask_email",
      kind: "ask",
      prompt: "Your email?",
      field: { name: "email", label: "Email", type: "email" },
      next: "book",
    },
    {
      id: "book",
      kind: "action",
      action: {
        type: "call_plugin",
        plugin: "acme/booking",
        method: "book",
        input: { email: "{{fields.email}}" },
      },
      next: "done",
    },
    { id: "done", kind: "end", message: "Thanks!" },
  ],
};

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

describe("call_plugin in a playbook", () => {
  it("runs the plugin's action in the turn, and its line reaches the visitor", async () => {
    const t = await tenantWithWidget([route]);
    await createInstall(db, t.tenantId, {
      manifest: manifest("1.0.0"),
      bundleSha256: await putBundle(env, UP),
      grant: { permissions: [], hosts: [] },
    });
    const c = await startConversation(t);
    await say(c, "I want to book a call");
    const last = await say(c, "ada@example.com");
    expect(texts(last)).toEqual(["Thanks! Booked for ada@example.com."]);
  });

  it("falls back to the conversation's outbox while the plugin is down, and runs once it is back", async () => {
    const t = await tenantWithWidget([route]);
    const install = await createInstall(db, t.tenantId, {
      manifest: manifest("1.0.0"),
      bundleSha256: await putBundle(env, DOWN),
      grant: { permissions: [], hosts: [] },
    });
    const c = await startConversation(t);
    await say(c, "I want to book a call");
    const last = await say(c, "bo@example.com");
    expect(texts(last)).toEqual(["Thanks!"]);
    const stub = conversationStub(env, t.tenantId, c.id);
    const waiting = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
    expect(waiting.pending.find((p) => p.kind === "action")?.count).toBe(1);
    // The plugin is fixed (a new version); the next drain runs the action, and only once.
    await upgradeInstall(
      db,
      t.tenantId,
      install.id,
      {
        manifest: manifest("1.0.1"),
        bundleSha256: await putBundle(env, UP),
        grant: { permissions: [], hosts: [] },
        source: "private",
      },
      env.AI_MASTER_KEY ?? "",
    );
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      await instance.drain(true);
      await instance.drain(true);
    });
    expect((await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending).toEqual([]);
  });

  it("a plugin that is not installed, or input its schema refuses, fails for good and is noted for agents", async () => {
    const t = await tenantWithWidget([route]);
    const notes = async () => {
      const c = await startConversation(t);
      await say(c, "I want to book a call");
      expect(texts(await say(c, "cy@example.com"))).toEqual(["Thanks!"]);
      const stub = conversationStub(env, t.tenantId, c.id);
      const status = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
      expect(status.pending.filter((p) => p.kind === "action")).toEqual([]);
      const history = (await stub.history({ tenantId: t.tenantId, conversationId: c.id })) as unknown as {
        messages: { sender: string; text: string }[];
      };
      return history.messages.filter((m) => m.sender === "note").map((m) => m.text);
    };
    expect(await notes()).toEqual([
      "The call_plugin action failed: the plugin acme/booking is not installed",
    ]);
    const strict = manifest("1.0.0");
    strict.actions[0] = { ...strict.actions[0], input: { type: "object", required: ["phone"] } } as never;
    await createInstall(db, t.tenantId, {
      manifest: strict,
      bundleSha256: await putBundle(env, UP),
      grant: { permissions: [], hosts: [] },
    });
    expect(await notes()).toEqual([
      expect.stringMatching(/^The call_plugin action failed: book: its input does not fit/),
    ]);
  });
});
