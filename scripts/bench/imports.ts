// Issue 15's import figures, against the worker in workerd with its queues (as `npm start` runs it):
// 1. accepting a CSV of IMPORT_ROWS (5,000) leads: how long POST /v1/leads/import takes (202);
// 2. the background job: rows/s from acceptance to "done" (polled on GET /v1/leads/imports/{id});
// 3. while it runs, another workspace's contact list: median latency against the same list idle
//    (the ratio says how much an import slows the others down).
import { setTimeout as sleep } from "node:timers/promises";
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { median, percentile, round } from "./stats.js";
import { startBenchWorker } from "./worker.js";

const ROWS = Number(process.env.IMPORT_ROWS ?? 5_000);

function csv(n: number): string {
  const lines = ["name,email,company,country,budget"];
  for (let i = 0; i < n; i++) lines.push(`Lead ${i},lead-${i}@import.bench,Company ${i % 500},DE,${i * 10}`);
  return `${lines.join("\n")}\n`;
}

export const imports: Bench = {
  name: "imports",
  description: `CSV lead import of ${ROWS} rows: acceptance time, background rows/s, other tenants' latency meanwhile`,
  async run(ctx) {
    const worker = await startBenchWorker(ctx.root, { RATE_LIMIT_KEY_PER_MIN: "1000000000" });
    try {
      const account = (tag: string) => ({
        email: `bench-import-${tag}-${Date.now()}@autopilot.local`,
        password: "benchmark-password",
        name: "Bench Owner",
        companyName: `Bench ${tag}`,
      });
      const importer = await seedWorkspace(worker.call, account("importer"));
      const other = await seedWorkspace(worker.call, account("other"));
      const auth = (key: string) => ({ authorization: `Bearer ${key}` });
      for (let i = 0; i < 50; i++) {
        const res = await worker.call("/v1/contacts", {
          method: "POST",
          headers: { ...auth(other.apiKey), "content-type": "application/json" },
          body: JSON.stringify({ name: `Other ${i}`, email: `other-${i}@bench.test` }),
        });
        if (res.status !== 201) throw new Error(`seed contact: ${res.status}`);
        await res.body?.cancel();
      }
      const listOnce = async () => {
        const t0 = performance.now();
        const res = await worker.call("/v1/contacts?limit=50", { headers: auth(other.apiKey) });
        if (res.status !== 200) throw new Error(`contacts: ${res.status}`);
        await res.arrayBuffer();
        return performance.now() - t0;
      };
      const idle: number[] = [];
      for (let i = 0; i < 40; i++) idle.push(await listOnce());

      const body = csv(ROWS);
      const t0 = performance.now();
      const accepted = await worker.call("/v1/leads/import", {
        method: "POST",
        headers: { ...auth(importer.apiKey), "content-type": "text/csv" },
        body,
      });
      const acceptMs = performance.now() - t0;
      const report = (await accepted.json()) as { importId: string; status: string };
      if (accepted.status !== 202) throw new Error(`import: ${accepted.status} ${JSON.stringify(report)}`);

      const during: number[] = [];
      let last = { status: "running", rows: 0, imported: 0, failed: 0 };
      const deadline = Date.now() + 30 * 60_000;
      while (last.status === "running" && Date.now() < deadline) {
        for (let i = 0; i < 5; i++) during.push(await listOnce());
        const res = await worker.call(`/v1/leads/imports/${report.importId}`, {
          headers: auth(importer.apiKey),
        });
        last = (await res.json()) as typeof last;
        await sleep(200);
      }
      const seconds = (performance.now() - t0) / 1000;
      if (last.status !== "done" || last.imported !== ROWS)
        throw new Error(`import ended ${JSON.stringify(last)} after ${round(seconds, 1)} s`);
      const rowsPerS = ROWS / seconds;
      const idleMs = median(idle);
      const duringMs = median(during);
      console.log(`  database: ${worker.databaseLabel}; ${ROWS} rows, ${round(body.length / 1024, 0)} KiB`);
      console.log(
        `  accepted (202) in ${round(acceptMs, 1)} ms; imported in ${round(seconds, 1)} s = ${round(rowsPerS, 0)} rows/s`,
      );
      console.log(
        `  another workspace's contact list: median ${round(idleMs, 1)} ms idle, ${round(duringMs, 1)} ms during the import ` +
          `(${round(duringMs / idleMs, 2)}×, ${during.length} calls)`,
      );
      return {
        rows: ROWS,
        accept_ms: round(acceptMs, 1),
        import_rows_per_s: round(rowsPerS, 1),
        other_tenant_idle_median_ms: round(idleMs, 2),
        other_tenant_during_import_median_ms: round(duringMs, 2),
        other_tenant_slowdown_ratio: round(duringMs / idleMs, 2),
      };
    } finally {
      await worker.close();
    }
  },
};
