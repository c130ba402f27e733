// Issue 21's sync figure, through Miniflare: the first-party HubSpot plugin (plugins/hubspot) installed
// through the API, syncing a workspace and a local fake HubSpot (scripts/fakes/hubspot.ts, HubSpot's
// wire) both ways: the backfill's records per second (pulled + pushed, run after run of "Sync now"
// until both sides are done), then the median time of a run that has nothing to do.
import { join } from "node:path";
import { buildPlugin } from "@autopilot/sdk/build";
import { startFakeHubSpot } from "../fakes/hubspot.js";
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { percentile, round } from "./stats.js";
import { NO_WIDGET_LIMITS, startBenchWorker } from "./worker.js";

const EACH_SIDE = Number(process.env.SYNC_RECORDS ?? 300);
const MAX_RUNS = 500;
const NOOP_RUNS = 10;

export const sync: Bench = {
  name: "sync",
  description: `HubSpot sync backfill of ${EACH_SIDE} + ${EACH_SIDE} contacts through the fake: records/s; a no-op run`,
  async run(ctx) {
    const built = await buildPlugin(join(ctx.root, "plugins", "hubspot"));
    const hub = await startFakeHubSpot();
    const worker = await startBenchWorker(ctx.root, NO_WIDGET_LIMITS);
    try {
      const json = async (path: string, body: unknown, headers: Record<string, string>) => {
        const res = await worker.call(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
        return JSON.parse(text) as Record<string, unknown>;
      };
      const { apiKey } = await seedWorkspace(worker.call, {
        email: `bench-sync-${Date.now()}@autopilot.local`,
        password: "benchmark-password",
        name: "Bench Owner",
        companyName: "Bench Sync",
      });
      const admin = { authorization: `Bearer ${apiKey}` };
      const token = `pat-bench-${Date.now()}`;
      const install = await json(
        "/v1/plugins/installs",
        {
          package: {
            format: 1,
            manifest: built.manifest,
            bundle: built.code,
            sha256: built.sha256,
            readme: "",
          },
          grant: { permissions: built.manifest.permissions, hosts: built.manifest.egress },
          config: { accessToken: token, apiBaseUrl: hub.url },
        },
        admin,
      );
      const seedHub = (i: number) =>
        fetch(`${hub.url}/_control/contacts`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            email: `hub${i}@bench.test`,
            firstname: `Hub`,
            lastname: `${i}`,
            phone: `+4420794${String(i).padStart(5, "0")}`,
          }),
        });
      for (let i = 0; i < EACH_SIDE; i++) await seedHub(i);
      for (let i = 0; i < EACH_SIDE; i++)
        await json("/v1/contacts", { email: `local${i}@bench.test`, name: `Local ${i}` }, admin);
      console.log(`  setup: ${EACH_SIDE} contacts in the fake HubSpot, ${EACH_SIDE} in the workspace`);

      const syncNow = async () =>
        (await json(`/v1/plugins/installs/${install.id}/actions/sync_now`, {}, admin)).value as {
          pulled: number;
          pushed: number;
          failed: number;
          caughtUp: boolean;
        };
      let pulled = 0;
      let pushed = 0;
      let failed = 0;
      let runs = 0;
      const t0 = performance.now();
      for (; runs < MAX_RUNS; runs++) {
        const out = await syncNow();
        pulled += out.pulled;
        pushed += out.pushed;
        failed += out.failed;
        if (out.caughtUp) break;
      }
      const backfillS = (performance.now() - t0) / 1000;
      if (pulled < EACH_SIDE || pushed < EACH_SIDE || failed > 0) {
        const report = await json(
          `/v1/plugins/installs/${install.id}/reports/sync_status`,
          { parameters: {} },
          admin,
        );
        console.log(JSON.stringify(report).slice(0, 600));
      }
      if (pulled < EACH_SIDE || pushed < EACH_SIDE || failed > 0)
        throw new Error(`backfill incomplete: pulled ${pulled}, pushed ${pushed}, failed ${failed}`);
      const noop: number[] = [];
      for (let i = 0; i < NOOP_RUNS; i++) {
        const t = performance.now();
        const out = await syncNow();
        noop.push(performance.now() - t);
        if (out.pulled + out.pushed > 0)
          throw new Error(`a run after the backfill changed ${out.pulled + out.pushed} records`);
      }
      const recordsPerS = (pulled + pushed) / backfillS;
      console.log(
        `  backfill: ${pulled} in + ${pushed} out in ${runs + 1} runs, ${backfillS.toFixed(1)} s = ${recordsPerS.toFixed(1)} records/s`,
      );
      console.log(
        `  a run with nothing to do: median ${percentile(
          [...noop].sort((a, b) => a - b),
          50,
        ).toFixed(1)} ms (${NOOP_RUNS} runs)`,
      );
      return {
        records_per_s: round(recordsPerS),
        backfill_s: round(backfillS),
        backfill_runs: runs + 1,
        noop_run_median_ms: round(
          percentile(
            [...noop].sort((a, b) => a - b),
            50,
          ),
        ),
      };
    } finally {
      await worker.close();
      await hub.close();
    }
  },
};
