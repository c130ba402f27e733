// Issue 2's benchmark: GET /v1/me with an API key against the bare GET /health/live of the same worker,
// sequential requests; database round trips per authenticated request from the Server-Timing header.
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { describe, percentile, round, runSequential, summarize } from "./stats.js";
import { startBenchWorker } from "./worker.js";

const TARGET_ME_MEDIAN_MS = 5;
const TARGET_ROUND_TRIPS = 2;
const WARMUP_REQUESTS = 300;

/** `db;dur=1.23;desc="2 round trips"` → { ms: 1.23, roundTrips: 2 } */
function parseServerTiming(header: string | null): { ms: number; roundTrips: number } {
  const m = /db;dur=([\d.]+);desc="(\d+) round trips?"/.exec(header ?? "");
  if (!m) throw new Error(`no db Server-Timing in the response (got ${JSON.stringify(header)})`);
  return { ms: Number(m[1]), roundTrips: Number(m[2]) };
}

export const foundation: Bench = {
  name: "foundation",
  description: "GET /v1/me (API key) vs GET /health/live in the same worker; DB round trips",
  async run(ctx) {
    // The per-key limit would answer 429 long before the run ends: lift it for the benchmark.
    const worker = await startBenchWorker(ctx.root, { RATE_LIMIT_KEY_PER_MIN: "1000000000" });
    try {
      console.log(`  database: ${worker.databaseLabel}; sequential requests (concurrency 1)`);
      const { apiKey } = await seedWorkspace(worker.call, {
        email: `bench-${Date.now()}@autopilot.local`,
        password: "benchmark-password",
        name: "Bench Owner",
        companyName: "Bench Company",
      });
      const meHeaders = { authorization: `Bearer ${apiKey}` };
      const dbMs: number[] = [];
      const roundTrips: number[] = [];
      const me = async () => {
        const res = await worker.call("/v1/me", { headers: meHeaders });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /v1/me answered ${res.status}`);
        const timing = parseServerTiming(res.headers.get("server-timing"));
        dbMs.push(timing.ms);
        roundTrips.push(timing.roundTrips);
      };
      // Diagnostic: a new connection and `select 1` (what every database-using request pays at least).
      const health = async () => {
        const res = await worker.call("/health");
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /health answered ${res.status}`);
      };
      const bare = async () => {
        const res = await worker.call("/health/live");
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /health/live answered ${res.status}`);
      };

      // Warm both paths (JIT, the rate-limit object, the bridge), then measure each on its own.
      await runSequential(me, { seconds: 5, maxCount: WARMUP_REQUESTS });
      await runSequential(bare, { seconds: 5, maxCount: WARMUP_REQUESTS });
      dbMs.length = 0;
      roundTrips.length = 0;

      const meRun = summarize(...spread(await runSequential(me, ctx)));
      const bareRun = summarize(...spread(await runSequential(bare, ctx)));
      const healthRun = summarize(
        ...spread(await runSequential(health, { seconds: Math.min(ctx.seconds, 5), maxCount: ctx.maxCount })),
      );
      const meanRoundTrips = roundTrips.reduce((a, b) => a + b, 0) / roundTrips.length;
      const sortedDb = [...dbMs].sort((a, b) => a - b);
      const ratio = meRun.medianMs / bareRun.medianMs;

      console.log(`  ${describe("GET /v1/me", meRun)}`);
      console.log(`  ${describe("GET /health/live", bareRun)}`);
      console.log(`  ${describe("GET /health (diag.)", healthRun)}  = connect + select 1`);
      console.log(`  me / bare median       ${ratio.toFixed(2)}×`);
      console.log(
        `  database in /v1/me     ${meanRoundTrips.toFixed(2)} round trips per request (max ${Math.max(...roundTrips)}), ` +
          `db time median ${percentile(sortedDb, 50).toFixed(2)} ms, p99 ${percentile(sortedDb, 99).toFixed(2)} ms ` +
          "(connect + queries, from Server-Timing)",
      );
      const meOk = meRun.medianMs <= TARGET_ME_MEDIAN_MS;
      const rtOk = meanRoundTrips <= TARGET_ROUND_TRIPS;
      console.log(
        `  targets                /v1/me median ≤ ${TARGET_ME_MEDIAN_MS} ms: ${meOk ? "met" : "MISSED"}; ` +
          `≤ ${TARGET_ROUND_TRIPS} round trips: ${rtOk ? "met" : "MISSED"}`,
      );
      return {
        me_median_ms: round(meRun.medianMs),
        me_p99_ms: round(meRun.p99Ms),
        me_rps: round(meRun.rps, 1),
        bare_median_ms: round(bareRun.medianMs),
        bare_p99_ms: round(bareRun.p99Ms),
        bare_rps: round(bareRun.rps, 1),
        me_to_bare_ratio: round(ratio, 2),
        db_round_trips_per_request: round(meanRoundTrips, 2),
      };
    } finally {
      await worker.close();
    }
  },
};

const spread = (r: { latenciesMs: number[]; seconds: number }) => [r.latenciesMs, r.seconds] as const;
