import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall, getInstall, type InstallRecord } from "../src/plugins/installs.js";
import { type InvokeDeps, invokePlugin, PAUSE_AFTER } from "../src/plugins/invoke.js";
import { STORAGE_QUOTA } from "../src/plugins/storage.js";
import { call, ownerDb, type Session, signup } from "./helpers.js";

// A plugin is untrusted code (issue 17): it runs in a Dynamic Worker of its own per tenant, reaches
// only the hosts and capabilities its install granted, and whatever it does (throw, hang, loop, answer
// garbage, keep failing) the host stays in charge. Locally workerd enforces no CPU limit, so what is
// tested here is what the host itself enforces.

// Untrusted code needs no SDK: this speaks the wire contract directly (packages/sdk/src/plugin/wire.ts).
const HOSTILE = `
import { WorkerEntrypoint } from "cloudflare:workers";
let counter = 0;
export default class extends WorkerEntrypoint {
  async invoke(call, context) {
    const input = call.input;
    switch (call.name) {
      case "count": counter++; return { ok: true, value: { counter, installId: context.installId } };
      case "throw": throw new Error("boom");
      case "hang": await new Promise((r) => setTimeout(r, 60000)); return { ok: true, value: "woke" };
      case "loop": for (;;) await new Promise((r) => setTimeout(r, 1));
      case "fetch": {
        const res = await fetch(input);
        return { ok: true, value: { status: res.status, text: (await res.text()).slice(0, 200) } };
      }
      case "fetch_many": {
        const statuses = {};
        for (let i = 0; i < input.n; i++) {
          const res = await fetch(input.url);
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        }
        return { ok: true, value: statuses };
      }
      case "capability":
        try {
          return { ok: true, value: await this.env.API.call(input.capability, input.method, input.args) };
        } catch (e) {
          return { ok: true, value: { refused: String(e && e.message) } };
        }
      case "env": return { ok: true, value: Object.keys(this.env).sort() };
      case "malformed": return { hello: "world" };
      case "huge": return { ok: true, value: "x".repeat(300000) };
      case "fail": return { ok: false, error: { code: "provider_down", message: "the provider said no" } };
    }
    return { ok: false, error: { code: "not_handled", message: String(call.name) } };
  }
}`;

const ACTIONS = [
  "count",
  "throw",
  "hang",
  "loop",
  "fetch",
  "fetch_many",
  "capability",
  "env",
  "malformed",
  "huge",
  "fail",
];
const manifest = (id: string) => ({
  id,
  name: "Sandbox probe",
  version: "1.0.0",
  engine: "^1.0.0",
  kinds: ["action"],
  permissions: ["storage", "contacts:read"],
  egress: ["api.example.com"],
  actions: ACTIONS.map((name) => ({ name, title: name })),
});

let a: Session;
let b: Session;
let installA: InstallRecord;
let installB: InstallRecord;
const db = ownerDb();
const deps = (extra: Partial<InvokeDeps> = {}): InvokeDeps => ({
  env,
  db,
  mailer: outboxMailer,
  timeoutMs: 1_000,
  ...extra,
});
const act = (install: InstallRecord, name: string, input?: unknown, extra?: Partial<InvokeDeps>) =>
  invokePlugin(deps(extra), install, { kind: "action", name, input });
const capability = async (install: InstallRecord, cap: string, method: string, args: unknown[]) => {
  const out = await act(install, "capability", { capability: cap, method, args });
  if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
  return out.value;
};

beforeAll(async () => {
  [a, b] = [await signup("Plugin A"), await signup("Plugin B")];
  const sha = await putBundle(env, HOSTILE);
  const grant = { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] };
  installA = await createInstall(db, a.tenantId, {
    manifest: manifest("probe/sandbox"),
    bundleSha256: sha,
    grant,
  });
  installB = await createInstall(db, b.tenantId, {
    manifest: manifest("probe/sandbox"),
    bundleSha256: sha,
    grant,
  });
});

afterAll(async () => {
  await db.end();
});

describe("plugin sandbox", () => {
  it("an install must grant exactly what the manifest asks", async () => {
    const sha = await putBundle(env, HOSTILE);
    const tryGrant = (permissions: string[], hosts: string[]) =>
      createInstall(db, a.tenantId, {
        manifest: manifest("probe/other"),
        bundleSha256: sha,
        grant: { permissions, hosts },
      }).then(
        () => "installed",
        (e: Error) => e.message,
      );
    expect(await tryGrant(["storage"], ["api.example.com"])).toMatch(/^grant\.permissions:/);
    expect(await tryGrant(["storage", "contacts:read"], [])).toMatch(/^grant\.hosts:/);
    expect(await tryGrant(["storage", "contacts:read", "contacts:write"], ["api.example.com"])).toMatch(
      /^grant\.permissions:/,
    );
  });

  it("two tenants' installs of one plugin never share module state; env holds only the API", async () => {
    const first = await act(installA, "count");
    const second = await act(installA, "count");
    const other = await act(installB, "count");
    expect(first).toMatchObject({ ok: true, value: { counter: 1, installId: installA.id } });
    expect(second).toMatchObject({ ok: true, value: { counter: 2 } });
    expect(other).toMatchObject({ ok: true, value: { counter: 1, installId: installB.id } });
    expect(await act(installA, "env")).toMatchObject({ ok: true, value: ["API"] });
  });

  it("a throw, a hang, an endless loop, garbage and a huge answer are contained, and count as failures", async () => {
    const probe = await createInstall(db, a.tenantId, {
      manifest: manifest("probe/contained"),
      bundleSha256: installA.bundleSha256,
      grant: { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] },
    });
    expect(await act(probe, "fail")).toMatchObject({
      ok: false,
      code: "plugin_error",
      message: "provider_down: the provider said no",
    });
    expect(await act(probe, "throw")).toMatchObject({
      ok: false,
      code: "crashed",
      message: expect.stringMatching(/boom/),
    });
    const hang = await act(probe, "hang", undefined, { timeoutMs: 300 });
    expect(hang).toMatchObject({ ok: false, code: "timeout" });
    expect(hang.ms).toBeLessThan(2_000);
    expect(await act(probe, "loop", undefined, { timeoutMs: 300 })).toMatchObject({
      ok: false,
      code: "timeout",
    });
    expect(await act(probe, "malformed")).toMatchObject({ ok: false, code: "malformed" });
    expect((await getInstall(db, a.tenantId, probe.id)).consecutiveFailures).toBe(PAUSE_AFTER);
    expect((await getInstall(db, a.tenantId, probe.id)).status).toBe("paused");
    const huge = await createInstall(db, b.tenantId, {
      manifest: manifest("probe/huge"),
      bundleSha256: installA.bundleSha256,
      grant: { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] },
    });
    expect(await act(huge, "huge")).toMatchObject({ ok: false, code: "too_large" });
    // A success resets the count: one bad answer now and then does not pause an install.
    expect(await act(huge, "count")).toMatchObject({ ok: true });
    expect((await getInstall(db, b.tenantId, huge.id)).consecutiveFailures).toBe(0);
  });

  it("egress: only granted hosts; never a private address; loopback only in local development", async () => {
    const fetchOf = async (url: string, extra?: Partial<InvokeDeps>) => {
      const out = await act(installA, "fetch", url, extra);
      if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
      return out.value as { status: number; text: string };
    };
    expect(await fetchOf("https://evil.example.net/steal")).toEqual({
      status: 403,
      text: "egress refused: evil.example.net is not among the hosts this install granted",
    });
    expect((await fetchOf("http://10.0.0.8/admin")).status).toBe(403);
    expect((await fetchOf("http://[::ffff:7f00:1]/")).status).toBe(403);
    expect((await fetchOf("http://169.254.169.254/latest/meta-data")).status).toBe(403);
    // As deployed (no local development): loopback is refused like any private address.
    const deployed = await fetchOf("http://127.0.0.1:9/", { allowLoopback: false });
    expect(deployed).toEqual({
      status: 403,
      text: "egress refused: 127.0.0.1 is a private or loopback address",
    });
  });

  it("egress: at most 120 requests a minute per install, 600 for a CRM sync; then 429 with Retry-After", async () => {
    const url = `${inject("fakeHubSpotUrl")}/crm/v3/objects/contacts/1`;
    const many = async (install: InstallRecord, n: number) => {
      const out = await invokePlugin(deps({ timeoutMs: 20_000, allowLoopback: true }), install, {
        kind: "action",
        name: "fetch_many",
        input: { url, n },
      });
      if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
      return out.value as Record<string, number>;
    };
    const plain = await createInstall(db, a.tenantId, {
      manifest: manifest("probe/many"),
      bundleSha256: installA.bundleSha256,
      grant: { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] },
    });
    // The fake answers 401 to a request without a token: every request that passed the gateway.
    expect(await many(plain, 130)).toEqual({ 401: 120, 429: 10 });
    const sync = await createInstall(db, a.tenantId, {
      manifest: { ...manifest("probe/sync-many"), kinds: ["action", "sync"] },
      bundleSha256: installA.bundleSha256,
      grant: { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] },
    });
    // Past a plain plugin's 120 (600 would take this test a minute of sub-requests).
    expect(await many(sync, 130)).toEqual({ 401: 130 });
  }, 60_000);

  it("capabilities: only the granted ones, only inside the install's own tenant and store", async () => {
    expect(await capability(installA, "contacts", "upsert", [{ email: "x@example.com" }])).toEqual({
      refused: expect.stringMatching(/contacts\.upsert needs the contacts:write permission$/),
    });
    expect(await capability(installA, "database", "query", ["select 1"])).toMatchObject({
      refused: expect.stringMatching(/no such capability/),
    });
    // Tenant B's contact is invisible to tenant A's plugin, by id and by email.
    const created = await call("/v1/contacts", {
      body: { name: "B Person", email: "b.person@example.com" },
      headers: b.auth,
    });
    expect(created.status).toBe(201);
    expect(await capability(installA, "contacts", "get", [created.json.id])).toBeNull();
    expect(await capability(installA, "contacts", "findByEmail", ["b.person@example.com"])).toBeNull();
    expect(await capability(installB, "contacts", "findByEmail", ["b.person@example.com"])).toMatchObject({
      id: created.json.id,
    });
    // Storage is per install: B's value is not A's.
    await capability(installB, "storage", "put", ["secret", { b: 1 }]);
    expect(await capability(installA, "storage", "get", ["secret"])).toBeNull();
    expect(await capability(installB, "storage", "get", ["secret"])).toEqual({ b: 1 });
    expect(await capability(installA, "storage", "list", [""])).toEqual([]);
    // The quota holds.
    expect(
      await capability(installA, "storage", "put", ["big", "x".repeat(STORAGE_QUOTA.maxValueBytes)]),
    ).toMatchObject({
      refused: expect.stringMatching(/a value may hold 65536 bytes$/),
    });
  });

  it("conversations: only a channel plugin granted conversations:write appends a customer's message", async () => {
    const message = { threadId: "t1", messageId: "m1", sender: { id: "u1" }, text: "let me in" };
    expect(await capability(installA, "conversations", "appendInbound", [message])).toEqual({
      refused: expect.stringMatching(
        /conversations\.appendInbound needs the conversations:write permission$/,
      ),
    });
    // Granted the permission, but not a channel: it has no channel to speak for.
    const writer = await createInstall(db, a.tenantId, {
      manifest: { ...manifest("probe/writer"), permissions: ["conversations:write"] },
      bundleSha256: await putBundle(env, HOSTILE),
      grant: { permissions: ["conversations:write"], hosts: ["api.example.com"] },
    });
    expect(await capability(writer, "conversations", "appendInbound", [message])).toEqual({
      refused: expect.stringMatching(/only a channel plugin appends messages$/),
    });
    expect(
      await capability(writer, "conversations", "updateDelivery", [{ externalId: "x", status: "read" }]),
    ).toEqual({ found: false });
    const listed = await call("/v1/conversations", { headers: a.auth });
    expect(listed.json.conversations).toEqual([]);
  });

  it("a plugin that keeps failing is paused, and the workspace's admins are told", async () => {
    const sha = await putBundle(env, HOSTILE);
    const flaky = await createInstall(db, a.tenantId, {
      manifest: manifest("probe/flaky"),
      bundleSha256: sha,
      grant: { permissions: ["storage", "contacts:read"], hosts: ["api.example.com"] },
    });
    for (let i = 0; i < PAUSE_AFTER; i++)
      expect(await act(flaky, "throw")).toMatchObject({ ok: false, code: "crashed" });
    const paused = await getInstall(db, a.tenantId, flaky.id);
    expect(paused.status).toBe("paused");
    expect(await act(paused, "count")).toMatchObject({ ok: false, code: "paused" });
    const told = await db.query<{ kind: string }>(
      "select kind from notifications where tenant_id = $1 and user_id = $2 and data->>'installId' = $3",
      [a.tenantId, a.userId, flaky.id],
    );
    expect(told).toHaveLength(1);
    const mail = await db.query<{ subject: string }>(
      `select subject from mail_outbox where tenant_id = $1 and "to" = $2 and subject like 'Plugin paused%'`,
      [a.tenantId, a.email.toLowerCase()],
    );
    expect(mail.length).toBeGreaterThanOrEqual(1);
    expect(mail[0]).toEqual({ subject: "Plugin paused: Sandbox probe" });
  });
});
