import { env } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall } from "../src/plugins/installs.js";
import { invokePlugin } from "../src/plugins/invoke.js";
import { call, ownerDb, signup } from "./helpers.js";

// The report kind's contract (issue 17, item 5): parameters checked against the report's schema go
// in; rows and a chart spec come out, checked before the dashboard shows them.

const REPORTER = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    if (call.kind !== "report") return { ok: false, error: { code: "not_handled", message: call.kind } };
    const months = Number(call.parameters.months ?? 3);
    const rows = Array.from({ length: months }, (_, i) => ({ month: "2026-0" + (i + 1), won: i * 10 }));
    if (call.id === "funnel") {
      try {
        const answer = await this.env.API.call("analytics", "report", ["funnel", { from: "2026-11-01", to: "2026-11-03", groupBy: "day" }]);
        return { ok: true, value: { rows: answer.rows.map((r) => ({ period: r.period, started: r.started ?? 0 })) } };
      } catch (e) {
        return { ok: false, error: { code: "refused", message: String(e && e.message) } };
      }
    }
    if (call.id === "broken") return { ok: true, value: { rows, chart: { type: "bar", x: "month", y: ["lost"] } } };
    return { ok: true, value: { rows, chart: { type: "line", x: "month", y: ["won"] } } };
  }
}`;

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

describe("report plugins", () => {
  it("answer rows and a chart for checked parameters; a broken answer or bad parameters never reach the page", async () => {
    const s = await signup("Reports Co");
    const install = await createInstall(db, s.tenantId, {
      manifest: {
        id: "acme/won-trend",
        name: "Won trend",
        version: "1.0.0",
        engine: "^1.0.0",
        kinds: ["report"],
        permissions: ["analytics:read"],
        reports: [
          {
            id: "won",
            title: "Won per month",
            parameters: {
              type: "object",
              properties: { months: { type: "integer", minimum: 1, maximum: 12 } },
            },
          },
          { id: "broken", title: "Broken" },
          { id: "funnel", title: "Funnel, as the workspace's own report gives it" },
        ],
      },
      bundleSha256: await putBundle(env, REPORTER),
      grant: { permissions: ["analytics:read"], hosts: [] },
    });
    const run = (reportId: string, parameters: unknown) =>
      call(`/v1/plugins/installs/${install.id}/reports/${reportId}`, {
        body: { parameters },
        headers: s.auth,
      });
    const ok = await run("won", { months: 2 });
    expect([ok.status, ok.json]).toEqual([
      200,
      {
        rows: [
          { month: "2026-01", won: 0 },
          { month: "2026-02", won: 10 },
        ],
        chart: { type: "line", x: "month", y: ["won"] },
      },
    ]);
    const bad = await run("won", { months: 40 });
    expect([bad.status, bad.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^parameters\.months:/),
    ]);
    const broken = await run("broken", {});
    expect([broken.status, broken.json.error.message]).toEqual([
      503,
      expect.stringMatching(/no column lost/),
    ]);
    expect((await run("nope", {})).status).toBe(404);
    // Built on the workspace's own reports through analytics:read (rollups, its tenant only).
    const funnel = await run("funnel", {});
    expect(funnel.status, JSON.stringify(funnel.json)).toBe(200);
    expect(Array.isArray(funnel.json.rows)).toBe(true);
    const other = await signup("Other Reports");
    expect(
      (
        await call(`/v1/plugins/installs/${install.id}/reports/won`, {
          body: { parameters: {} },
          headers: other.auth,
        })
      ).status,
    ).toBe(404);
  });

  it("a plugin without analytics:read cannot read the workspace's reports", async () => {
    const s = await signup("No Analytics");
    const install = await createInstall(db, s.tenantId, {
      manifest: {
        id: "acme/nosy",
        name: "Nosy",
        version: "1.0.0",
        engine: "^1.0.0",
        kinds: ["action"],
        actions: [{ name: "peek", title: "Peek" }],
      },
      bundleSha256: await putBundle(
        env,
        `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke() {
    try { await this.env.API.call("analytics", "report", ["funnel", { from: "2026-11-01", to: "2026-11-03" }]); return { ok: true, value: "read it" }; }
    catch (e) { return { ok: true, value: String(e && e.message) }; }
  }
}`,
      ),
      grant: { permissions: [], hosts: [] },
    });
    const out = await invokePlugin({ env, db, mailer: outboxMailer }, install, {
      kind: "action",
      name: "peek",
      input: {},
    });
    expect(out).toMatchObject({
      ok: true,
      value: expect.stringMatching(/analytics\.report needs the analytics:read permission$/),
    });
  });
});
