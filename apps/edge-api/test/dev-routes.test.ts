import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { systemActor } from "../src/domain/crm/actor.js";
import { acceptLeadsCsv } from "../src/domain/leads/import-csv.js";
import { call, ownerDb, signup, waitForImport } from "./helpers.js";

// What `npm start` asks of the worker around a restart (issue 15, item 16): how much waits in the
// local queues (it drains them before stopping), and queueing again the jobs a stop cut off.

describe("local development routes", () => {
  it("reports the local queues' backlog and re-queues jobs a stop cut off", async () => {
    const queues = await call("/v1/dev/queues");
    expect(queues.status).toBe(200);
    expect(Object.keys(queues.json.backlog).sort()).toEqual([
      "events",
      "knowledge-crawl",
      "lead-imports",
      "plugin-deliveries",
      "webhook-deliveries",
    ]);
    for (const n of Object.values(queues.json.backlog)) expect(n).toBeGreaterThanOrEqual(0);

    // An import accepted just before a stop: stored, its message lost with the queue.
    const s = await signup("Dev resume");
    const db = ownerDb();
    let importId: string;
    try {
      const csv = "name,email\nAda,ada@resume.test\nBob,bob@resume.test\n";
      importId = (await acceptLeadsCsv(db, systemActor(s.tenantId), new Blob([csv]).stream())).importId;
    } finally {
      await db.end();
    }
    const resumed = await call("/v1/dev/resume-jobs", { method: "POST" });
    expect(resumed.status).toBe(200);
    expect(resumed.json.imports).toBeGreaterThanOrEqual(1);
    expect(await waitForImport(importId, s.auth)).toMatchObject({ status: "done", imported: 2 });
  });

  it("does not exist outside local development", async () => {
    const { LOCAL_DEVELOPMENT: _, MAILER: __, ...deployed } = env;
    for (const [method, path] of [
      ["GET", "/v1/dev/queues"],
      ["POST", "/v1/dev/resume-jobs"],
    ]) {
      const ctx = createExecutionContext();
      const res = await createApp().fetch(new Request(`https://api.test${path}`, { method }), deployed, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(404);
    }
  });
});
