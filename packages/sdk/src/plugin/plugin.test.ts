import { describe, expect, it } from "vitest";
import { splitMessage } from "./channel.js";
import { definePlugin } from "./define.js";
import { ManifestSchema } from "./manifest.js";
import { TestHost } from "./testing.js";

const base = { id: "acme/lead-notify", name: "Lead notify", version: "1.0.0", engine: "^1.0.0" } as const;

describe("manifest", () => {
  it("accepts a complete manifest and fills defaults", () => {
    const m = ManifestSchema.parse({
      ...base,
      kinds: ["events"],
      permissions: ["events:subscribe"],
      subscriptions: ["lead.created"],
      egress: ["hooks.slack.com", "*.example.com"],
    });
    expect(m.actions).toEqual([]);
    expect(m.config).toEqual({ type: "object", properties: {} });
  });
  it("names the field that is wrong", () => {
    const issues = (input: unknown) =>
      ManifestSchema.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ ...base, id: "Lead Notify", kinds: ["events"] })[0]).toMatch(/^id: publisher\/name/);
    expect(issues({ ...base, version: "1.0", kinds: ["events"] })[0]).toMatch(/^version:/);
    expect(issues({ ...base, kinds: ["events"], egress: ["*"] })[0]).toMatch(/^egress\.0:/);
    expect(issues({ ...base, kinds: ["events"], egress: ["127.0.0.1"] })[0]).toMatch(/^egress\.0:/);
    expect(issues({ ...base, kinds: ["events"], subscriptions: ["lead.created"] })).toEqual([
      "subscriptions: subscribing to events needs the events:subscribe permission",
    ]);
    expect(
      issues({
        ...base,
        kinds: ["events"],
        subscriptions: ["no.such_event"],
        permissions: ["events:subscribe"],
      })[0],
    ).toMatch(/^subscriptions\.0:/);
    expect(issues({ ...base, kinds: ["action"] })).toEqual([
      "actions: an action plugin declares its actions",
    ]);
    expect(issues({ ...base, kinds: ["events"], permissions: ["root"] })[0]).toMatch(/^permissions\.0:/);
    expect(issues({ ...base, kinds: ["events"], extra: 1 })[0]).toMatch(/extra/);
  });
});

describe("definePlugin and the test host", () => {
  const plugin = definePlugin({
    manifest: {
      ...base,
      kinds: ["events", "action"],
      permissions: ["events:subscribe", "storage"],
      subscriptions: ["lead.created"],
      egress: ["hooks.example.com"],
      actions: [{ name: "echo", title: "Echo" }],
    },
    async onEvent(event, ctx) {
      const seen = ((await ctx.storage.get<number>("seen")) ?? 0) + 1;
      await ctx.storage.put("seen", seen);
      ctx.log.info("event", { type: event.type });
      await ctx.fetch("https://hooks.example.com/in", { method: "POST", body: JSON.stringify({ seen }) });
    },
    actions: {
      async echo(input, ctx) {
        // A capability the manifest did not grant is not on ctx (a type error), and the host refuses it.
        const contacts = (ctx as unknown as { contacts?: unknown }).contacts;
        if (input === "outside") return (await ctx.fetch("https://evil.example.net/")).status;
        if (input === "throw") throw new Error("boom");
        return { input, contacts: contacts === undefined ? "absent" : "present" };
      },
    },
  });

  it("runs handlers with only the granted capabilities, the recorded fetch and the logs", async () => {
    const host = new TestHost(plugin, { url: "https://hooks.example.com/in" }).answer(
      () => new Response("ok"),
    );
    const event = { type: "lead.created", id: crypto.randomUUID() } as Record<string, unknown>;
    expect(await host.call({ kind: "event", event })).toEqual({ ok: true, value: null });
    expect(await host.call({ kind: "event", event })).toEqual({ ok: true, value: null });
    expect(host.storage.get("seen")).toBe(2);
    expect(host.requests.map((r) => r.body)).toEqual(['{"seen":1}', '{"seen":2}']);
    expect(host.logs[0]).toEqual({ level: "info", message: "event", data: { type: "lead.created" } });
    expect(await host.call({ kind: "action", name: "echo", input: 1 })).toEqual({
      ok: true,
      value: { input: 1, contacts: "absent" },
    });
  });

  it("turns failures into results: a throw, a missing handler, a refused host, a bad call", async () => {
    const host = new TestHost(plugin);
    expect(await host.call({ kind: "action", name: "echo", input: "throw" })).toEqual({
      ok: false,
      error: { code: "plugin_error", message: "boom" },
    });
    expect(await host.call({ kind: "action", name: "nope", input: null })).toMatchObject({
      ok: false,
      error: { code: "not_handled" },
    });
    expect(await host.call({ kind: "schedule", name: "daily" })).toMatchObject({
      ok: false,
      error: { code: "not_handled" },
    });
    expect(await host.call({ kind: "action", name: "echo", input: "outside" })).toEqual({
      ok: true,
      value: 403,
    });
    expect(
      await plugin.invoke(
        { kind: "bogus" },
        { installId: host.installId, config: {} },
        { call: async () => null },
      ),
    ).toMatchObject({
      ok: false,
      error: { code: "plugin_error" },
    });
  });
});

describe("channels", () => {
  it("split long replies at a space or line break near the limit, losing nothing", () => {
    expect(splitMessage("a".repeat(10), 4)).toEqual(["aaaa", "aaaa", "aa"]);
    expect(splitMessage("hello world again", 12)).toEqual(["hello world", "again"]);
    expect(splitMessage("line one\nline two", 12)).toEqual(["line one", "line two"]);
    expect(splitMessage("", 4096)).toEqual([""]);
  });

  it("need a declared channel and conversations:write, and cannot take the platform's own channel ids", () => {
    const chat = { id: "acme/chat", name: "Chat", version: "1.0.0", engine: "^1.0.0" };
    const problems = (m: Record<string, unknown>) =>
      ManifestSchema.safeParse({ ...chat, ...m }).error?.issues.map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      ) ?? [];
    expect(problems({ kinds: ["channel"], permissions: ["conversations:write"] })).toEqual([
      "channel: a channel plugin (kind channel) declares its channel, and only a channel plugin does",
    ]);
    expect(problems({ kinds: ["channel"], channel: { id: "chat", name: "Chat" } })).toEqual([
      "permissions: a channel plugin needs conversations:write",
    ]);
    expect(
      problems({
        kinds: ["channel"],
        permissions: ["conversations:write"],
        channel: { id: "web", name: "Web" },
      }),
    ).toEqual(["channel: web, api and widget are the platform's own channels"]);
    expect(
      problems({
        kinds: ["channel"],
        permissions: ["conversations:write"],
        channel: { id: "chat", name: "Chat" },
      }),
    ).toEqual([]);
  });
});
