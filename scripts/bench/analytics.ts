// Issue 7's benchmark, on the PostgreSQL server named by DATABASE_URL (a fresh database per run):
// 1. ingest through the queue consumer's own code path (ingestMessages: zod validation, per-tenant
//    call of analytics_ingest — events insert, 15-minute and daily rollups, funnel tables and funnel
//    cohort in one statement —, acks) in Queue-sized batches of 100, with as many batches in flight as
//    the consumer runs (max_concurrency of the `events` consumer in wrangler.toml; ANALYTICS_IN_FLIGHT
//    overrides), through the neon driver and the WebSocket bridge. The tenant has daily rollups
//    already (it has opened a report), so ingest keeps them too: the steady state;
// 2. a raw server-side COPY of the same rows into an identical table (same indexes) — the ceiling;
// 3. every report over the 1,000,000 events of one tenant (median of ANALYTICS_REPORT_RUNS runs).
// Beside the rates, CPU per event: the database's (its server processes for the in-flight
// connections, from /proc when the server is on this machine) against COPY's per row, and this
// process's. On a shared 2-CPU machine those move far less with the load than events/s do.
// ANALYTICS_EVENTS (default 1,000,000) and ANALYTICS_SKIP_REPORTS=1 make shorter, ingest-only runs.
// Not included: the LiveStats Durable Object call after commit (no workerd here).
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@autopilot/db";
import { createFreshDatabase, dropDatabase, startLocalDatabase } from "@autopilot/db/local";
import { type AppEvent, eventSchema } from "@autopilot/sdk";
import { type IngestMessage, ingestMessages } from "../../apps/edge-api/src/analytics/consume.js";
import { toEventRow } from "../../apps/edge-api/src/analytics/dimensions.js";
import { REPORTS, type ReportName } from "../../apps/edge-api/src/analytics/reports/index.js";
import { reportQuerySchema } from "../../apps/edge-api/src/analytics/reports/query.js";
import { runReport } from "../../apps/edge-api/src/analytics/reports/run.js";
import type { Logger } from "../../apps/edge-api/src/lib/log.js";
import type { Bench } from "./registry.js";
import { percentile, round } from "./stats.js";

const TOTAL_EVENTS = Number(process.env.ANALYTICS_EVENTS ?? 1_000_000);
const SKIP_REPORTS = process.env.ANALYTICS_SKIP_REPORTS === "1";
const LIVE_EVENTS = Math.min(100_000, Math.ceil(TOTAL_EVENTS / 10));
const IN_FLIGHT = Number(process.env.ANALYTICS_IN_FLIGHT ?? consumerConcurrency("events"));
const REPORT_RUNS = Number(process.env.ANALYTICS_REPORT_RUNS ?? 15);
const BATCH = 100;
const TARGET_EVENTS_PER_S = 50_000;
const TARGET_REPORT_MEDIAN_MS = 100;
const TIME_ZONE = "Europe/Berlin";

const quiet: Logger = { info() {}, warn() {}, error: (msg, f) => console.error(msg, f) };

/** max_concurrency of a queue's consumer in the root wrangler.toml (what production would run). */
function consumerConcurrency(queue: string): number {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  for (const block of toml.split("[[queues.consumers]]").slice(1)) {
    const body = block.split(/^\[/m)[0] ?? "";
    if (!new RegExp(`^queue\\s*=\\s*"${queue}"`, "m").test(body)) continue;
    const n = /^max_concurrency\s*=\s*(\d+)/m.exec(body)?.[1];
    if (n) return Number(n);
  }
  throw new Error(`wrangler.toml: no max_concurrency for the ${queue} consumer`);
}

/** A deterministic pseudo-random stream (so runs are comparable). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Conversations over one year, each a realistic run of events, until `total` events. */
function generate(tenantId: string, total: number): AppEvent[] {
  const rand = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const yearStart = Date.parse("2026-01-01T00:00:00Z");
  const events: AppEvent[] = [];
  const agents = ["a1", "a2", "a3", "a4", "a5", "a6"];
  const routes = ["pricing", "support", "demo", "billing", "jobs"];
  let n = 0;
  const push = (type: string, at: number, properties: unknown, subjects: Record<string, string>) => {
    events.push(
      eventSchema.parse({
        id: crypto.randomUUID(),
        tenantId,
        time: new Date(at).toISOString(),
        actor: { type: "system", id: null },
        subjects,
        type,
        version: 1,
        properties,
      }),
    );
  };
  while (events.length < total) {
    const c = `conv-${n++}`;
    const conv = { conversation: c };
    let t = yearStart + Math.floor(rand() * 365 * 86_400_000);
    const channel = rand() < 0.8 ? "web" : "telegram";
    const routeId = pick(routes);
    push("conversation.started", t, { channel }, conv);
    const turns = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < turns; i++) {
      t += 20_000;
      push("message.received", t, { channel, length: 40 }, conv);
      push(
        "message.sent",
        t + 3000,
        { channel, sender: "bot", agentId: null, responseSeconds: i === 0 ? 3 : null },
        conv,
      );
    }
    push("route.selected", t, { routeId, confidence: 0.8, routesVersion: 1 }, conv);
    if (rand() < 0.3)
      push("knowledge.unanswered", t, { question: pick(["price?", "refund", "api docs"]) }, conv);
    else push("knowledge.answered", t, { question: "hours", chunkIds: ["k1"], mode: "extractive" }, conv);
    const agent = pick(agents);
    if (rand() < 0.2) {
      push("route.abandoned", t + 1000, { routeId, stepId: "email", reason: "handoff" }, conv);
      push("handoff.accepted", t + 60_000, { agentId: agent, waitSeconds: 60 }, conv);
      push(
        "message.sent",
        t + 90_000,
        { channel, sender: "agent", agentId: agent, responseSeconds: 30 },
        conv,
      );
    } else if (rand() < 0.6) {
      push("form.completed", t + 2000, { routeId, fields: ["email"] }, conv);
      push("route.completed", t + 2000, { routeId }, conv);
      if (rand() < 0.5) {
        const lead = `lead-${n}`;
        push("lead.created", t + 3000, { source: "chat", routeId }, { lead, conversation: c });
        push(
          "lead.assigned",
          t + 4000,
          { ownerId: agent, teamId: null, ruleId: null, strategy: "round_robin", reason: "rr" },
          { lead },
        );
        if (rand() < 0.3) {
          push("lead.status_changed", t + 86_400_000, { from: "new", to: "sql", reason: null }, { lead });
          const deal = `deal-${n}`;
          const money = { amount: 1000, currency: "EUR" };
          push(
            "deal.created",
            t + 2 * 86_400_000,
            { pipelineId: "p1", stageId: "s1", ownerId: agent, ...money },
            { deal, lead },
          );
          if (rand() < 0.4)
            push(
              "deal.won",
              t + 9 * 86_400_000,
              { pipelineId: "p1", ownerId: agent, ...money },
              { deal, lead },
            );
        }
      }
    }
    if (rand() < 0.3)
      push("csat.recorded", t + 120_000, { score: 1 + Math.floor(rand() * 5), agentId: agent }, conv);
    push(
      "conversation.closed",
      t + 300_000,
      { reason: "resolved", durationSeconds: 300, agentId: agent },
      conv,
    );
  }
  return events.slice(0, total);
}

/** Tenant-clustered batches of 100 (as the outbox sends them), in shuffled order. */
function batchesOf(events: AppEvent[]): AppEvent[][] {
  const batches: AppEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  const rand = rng(11);
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [batches[i], batches[j]] = [batches[j] as AppEvent[], batches[i] as AppEvent[]];
  }
  return batches;
}

function asMessages(batch: AppEvent[], stats: { acked: number; retried: number }): IngestMessage[] {
  return batch.map((body) => ({
    id: body.id,
    // What the consumer receives: the object the producer sent (plain JSON values; generate() made
    // each through the schema). The Queue runtime deserialises a message before the consumer runs, so
    // a JSON round trip here (~10 µs an event) timed the runtime's work, not the consumer's.
    body,
    attempts: 1,
    ack: () => void stats.acked++,
    retry: () => void stats.retried++,
  }));
}

/**
 * CPU seconds (user + system) a local server process has used so far, from /proc; NaN when the server
 * is elsewhere. Counts what the connection's backend did (parse, executor, WAL inserts, commit flushes);
 * not the WAL writer, checkpointer or autovacuum.
 */
function backendCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return Number.NaN;
  }
}

const csvCell = (v: unknown) => {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return `"${s.replaceAll('"', '""')}"`;
};

export const analytics: Bench = {
  name: "analytics",
  description: "event ingest through the queue consumer's code vs raw COPY; reports over 1M events",
  async run() {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) {
      console.log("  skipped: needs DATABASE_URL (a PostgreSQL server)");
      return { skipped: 1 };
    }
    const { neonConfig } = await import("@neondatabase/serverless");
    const { default: ws } = await import("ws");
    neonConfig.webSocketConstructor = ws;
    const name = `autopilot_bench_analytics_${process.pid}`;
    const url = await createFreshDatabase(serverUrl, name);
    const local = await startLocalDatabase({ databaseUrl: url });
    const bridge = `127.0.0.1:${local.bridgePort}`;
    const admin = openDatabase({ url, bridge });
    const csvPath = join(tmpdir(), `${name}.csv`);
    try {
      const [tenant] = await admin.query<{ id: string }>(
        "insert into tenants (name, time_zone) values ('Bench', $1) returning id",
        [TIME_ZONE],
      );
      const tenantId = tenant?.id as string;
      const t0 = performance.now();
      const events = generate(tenantId, TOTAL_EVENTS);
      const batches = batchesOf(events);
      console.log(
        `  ${events.length} events for one tenant (${TIME_ZONE}), ${batches.length} batches of ${BATCH}, ` +
          `${IN_FLIGHT} in flight, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      // Throughput figures are only comparable with the machine's load next to them (and the COPY ratio).
      const load = () =>
        loadavg()
          .map((l) => l.toFixed(2))
          .join(", ");
      console.log(`  machine: ${cpus().length} CPUs, load average ${load()} (1, 5, 15 min) before ingest`);

      // Steady state: the tenant has looked at a report, so its daily rollups exist and ingest adds to them.
      const query = reportQuerySchema.parse({ from: "2026-01-01", to: "2026-12-31", groupBy: "day" });
      await runReport(admin, tenantId, TIME_ZONE, "funnel", query);

      // 1. Ingest through the consumer's code. Each in-flight slot keeps its connection (as Hyperdrive or
      // Neon's pooler would give a consumer invocation); connection set-up per batch is measured apart.
      const stats = { acked: 0, retried: 0 };
      let next = 0;
      let inserted = 0;
      const ingestBatch = async (db: ReturnType<typeof openDatabase>, i: number) => {
        const s = await ingestMessages(db, "events", asMessages(batches[i] as AppEvent[], stats), quiet);
        inserted += s.inserted;
      };
      // Connections are opened first so each slot's server process is known: its CPU time (read from
      // /proc when the server runs on this machine) is the database's own cost per event, a figure
      // the machine's load does not skew the way it skews throughput.
      const slots = await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          const db = openDatabase({ url, bridge });
          const [row] = await db.query<{ pid: number }>("select pg_backend_pid() as pid");
          return { db, pid: Number(row?.pid) };
        }),
      );
      const dbCpuBefore = slots.map((s) => backendCpuSeconds(s.pid));
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      let dbCpuSeconds = Number.NaN;
      try {
        await Promise.all(
          slots.map(async ({ db }) => {
            for (let i = next++; i < batches.length; i = next++) await ingestBatch(db, i);
          }),
        );
      } finally {
        dbCpuSeconds = slots.reduce(
          (sum, s, i) => sum + backendCpuSeconds(s.pid) - (dbCpuBefore[i] as number),
          0,
        );
        await Promise.all(slots.map((s) => s.db.end()));
      }
      const ingestSeconds = (performance.now() - started) / 1000;
      // This process (zod validation, the driver, the WebSocket bridge) shares the 2 CPUs with Postgres.
      const cpu = process.cpuUsage(cpuBefore);
      const clientCpuShare = (cpu.user + cpu.system) / 1e6 / ingestSeconds;
      const clientUsPerEvent = (cpu.user + cpu.system) / events.length;
      const dbUsPerEvent = (dbCpuSeconds * 1e6) / events.length;
      if (inserted !== events.length || stats.acked !== events.length || stats.retried > 0) {
        throw new Error(
          `ingest: inserted ${inserted}, acked ${stats.acked}, retried ${stats.retried} of ${events.length}`,
        );
      }
      // Exact counts: every level of rollup adds up to the events, the funnel cohort to the funnel rows.
      const [check] = await admin.query<Record<string, string>>(
        `select (select sum(count) from analytics_rollups)::text as rollups,
          (select sum(count) from analytics_rollups_daily)::text as daily,
          (select sum(started)::text || '/' || sum(won)::text from analytics_funnel_daily) as cohort,
          (select count(started_at)::text || '/' || count(won_at) filter (where started_at is not null)::text
            from analytics_funnel) as funnel`,
      );
      if (Number(check?.rollups) !== events.length || Number(check?.daily) !== events.length)
        throw new Error(`rollups ${check?.rollups}, daily ${check?.daily}, expected ${events.length}`);
      if (check?.cohort !== check?.funnel)
        throw new Error(`funnel cohort ${check?.cohort} (started/won), funnel rows ${check?.funnel}`);
      const ingestRate = events.length / ingestSeconds;
      const loadAfterIngest = loadavg()[0] ?? 0;
      console.log(
        `  ingest (consumer path): ${ingestSeconds.toFixed(2)} s, ${Math.round(ingestRate)} events/s ` +
          `(load average ${loadAfterIngest.toFixed(2)} after; this process used ${clientCpuShare.toFixed(2)} CPU)`,
      );
      // Where the CPU went, per event: the database's server processes for the in-flight connections,
      // and this process (consumer code, the neon driver and the local WebSocket bridge, which stands
      // in for Neon's proxy). 1e6 / database µs is what one database core could ingest.
      console.log(
        `  CPU per event: database ${Number.isFinite(dbUsPerEvent) ? dbUsPerEvent.toFixed(1) : "?"} µs ` +
          `(${Number.isFinite(dbUsPerEvent) ? Math.round(1e6 / dbUsPerEvent) : "?"} events/s per database core), ` +
          `this process ${clientUsPerEvent.toFixed(1)} µs`,
      );

      // 2. The ceiling: COPY of the same rows into an identical table (same primary key and index).
      await admin.query(
        "create table bench_events_copy (like analytics_events including defaults including constraints including indexes)",
      );
      const columns = Object.keys(toEventRow(events[0] as AppEvent));
      const lines = events.map((e) => {
        const row = toEventRow(e) as unknown as Record<string, unknown>;
        return [tenantId, ...columns.map((c) => row[c])].map(csvCell).join(",");
      });
      writeFileSync(csvPath, `${lines.join("\n")}\n`);
      chmodSync(csvPath, 0o644);
      // COPY's server CPU per row, measured on its connection like the ingest's: the ratio of the two is
      // the least load-sensitive comparison on a shared machine.
      const copyPid = async () =>
        Number((await admin.query<{ pid: number }>("select pg_backend_pid() as pid"))[0]?.pid);
      const copyPidBefore = await copyPid();
      const copyCpuBefore = backendCpuSeconds(copyPidBefore);
      const copyStarted = performance.now();
      await admin.query(
        `copy bench_events_copy (tenant_id, ${columns.join(", ")}) from '${csvPath}' with (format csv)`,
      );
      const copySeconds = (performance.now() - copyStarted) / 1000;
      const copyCpuSeconds = backendCpuSeconds(copyPidBefore) - copyCpuBefore;
      // Only if the pool ran the three statements on one connection.
      const copyUsPerRow =
        (await copyPid()) === copyPidBefore ? (copyCpuSeconds * 1e6) / events.length : Number.NaN;
      const copyRate = events.length / copySeconds;
      console.log(
        `  raw COPY of the same rows: ${copySeconds.toFixed(2)} s, ${Math.round(copyRate)} rows/s` +
          (Number.isFinite(copyUsPerRow)
            ? `; database CPU ${copyUsPerRow.toFixed(1)} µs per row (ingest: ${(dbUsPerEvent / copyUsPerRow).toFixed(1)}x that per event)`
            : ""),
      );
      await admin.query("drop table bench_events_copy");

      // For comparison: a fresh connection per batch (a Worker invocation without a pooler), on
      // re-sent batches (all duplicates by now, so the insert does the same lookups and no writes).
      const sample = Math.min(batches.length, 10 * IN_FLIGHT);
      next = 0;
      const freshStarted = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let i = next++; i < sample; i = next++) {
            const db = openDatabase({ url, bridge });
            try {
              await ingestBatch(db, i);
            } finally {
              await db.end();
            }
          }
        }),
      );
      const freshRate = (sample * BATCH) / ((performance.now() - freshStarted) / 1000);
      console.log(
        `  redelivery with a new connection per batch: ${Math.round(freshRate)} events/s (${sample} batches)`,
      );

      // Live order, for comparison: a second tenant's events delivered in time order (as a queue carries
      // them live), so batches in flight fall in the same buckets and days: fewer rollup rows per batch,
      // but concurrent batches update the same rows (each waits for the other's commit).
      const [tenant2] = await admin.query<{ id: string }>(
        "insert into tenants (name, time_zone) values ('Bench live', $1) returning id",
        [TIME_ZONE],
      );
      const liveTenant = tenant2?.id as string;
      await runReport(admin, liveTenant, TIME_ZONE, "funnel", query);
      const liveEvents = generate(liveTenant, LIVE_EVENTS).sort((a, b) => (a.time < b.time ? -1 : 1));
      const liveBatches: AppEvent[][] = [];
      for (let i = 0; i < liveEvents.length; i += BATCH) liveBatches.push(liveEvents.slice(i, i + BATCH));
      let liveNext = 0;
      let liveInserted = 0;
      const liveStarted = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          const db = openDatabase({ url, bridge });
          try {
            for (let i = liveNext++; i < liveBatches.length; i = liveNext++) {
              const batch = asMessages(liveBatches[i] as AppEvent[], stats);
              const done = await ingestMessages(db, "events", batch, quiet);
              liveInserted += done.inserted; // after the await: `x += await …` would lose concurrent adds
            }
          } finally {
            await db.end();
          }
        }),
      );
      const liveRate = liveEvents.length / ((performance.now() - liveStarted) / 1000);
      if (liveInserted !== liveEvents.length || stats.retried > 0)
        throw new Error(
          `live order: inserted ${liveInserted} of ${liveEvents.length}, retried ${stats.retried}`,
        );
      console.log(
        `  ingest in live (time) order, ${liveEvents.length} events of a second tenant: ${Math.round(liveRate)} events/s ` +
          `(${(liveRate / copyRate).toFixed(3)} of COPY)`,
      );

      // What autovacuum does in a steady state (here it lags behind the burst): reports plan on fresh
      // statistics and read pages without the dead versions the in-place rollup updates leave.
      for (const table of [
        "analytics_events",
        "analytics_rollups",
        "analytics_rollups_daily",
        "analytics_funnel",
        "analytics_funnel_leads",
        "analytics_funnel_deals",
        "analytics_funnel_daily",
      ])
        await admin.query(`vacuum analyze ${table}`);

      // 3. Reports over the whole year (one tenant, 1M events), grouped by day, through withTenant.
      const metrics: Record<string, number> = {
        events: events.length,
        batch_size: BATCH,
        batches_in_flight: IN_FLIGHT,
        ingest_events_per_s: Math.round(ingestRate),
        copy_rows_per_s: Math.round(copyRate),
        ingest_to_copy_ratio: round(ingestRate / copyRate, 3),
        ingest_target_events_per_s: TARGET_EVENTS_PER_S,
        redelivery_new_connection_per_batch_events_per_s: Math.round(freshRate),
        live_order_ingest_events_per_s: Math.round(liveRate),
        live_order_ingest_to_copy_ratio: round(liveRate / copyRate, 3),
        cpus: cpus().length,
        load_average_1min_after_ingest: round(loadAfterIngest, 2),
        ingest_client_cpu_share: round(clientCpuShare, 2),
        ingest_client_cpu_us_per_event: round(clientUsPerEvent, 1),
        ...(Number.isFinite(dbUsPerEvent)
          ? { ingest_database_cpu_us_per_event: round(dbUsPerEvent, 1) }
          : {}),
        ...(Number.isFinite(copyUsPerRow) ? { copy_database_cpu_us_per_row: round(copyUsPerRow, 1) } : {}),
      };
      if (SKIP_REPORTS) return metrics;
      const reportDb = openDatabase({ url, bridge });
      try {
        for (const report of Object.keys(REPORTS) as ReportName[]) {
          const times: number[] = [];
          let rows = 0;
          for (let i = 0; i < REPORT_RUNS + 2; i++) {
            const s = performance.now();
            const result = await runReport(reportDb, tenantId, TIME_ZONE, report, query);
            if (i >= 2) times.push(performance.now() - s); // two warm-up runs
            rows = result.rows.length;
          }
          times.sort((a, b) => a - b);
          const median = percentile(times, 50);
          metrics[`report_${report}_median_ms`] = round(median, 2);
          console.log(
            `  report ${report}: median ${median.toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms (${rows} rows)`,
          );
        }
      } finally {
        await reportDb.end();
      }
      metrics.report_target_median_ms = TARGET_REPORT_MEDIAN_MS;
      return metrics;
    } finally {
      rmSync(csvPath, { force: true });
      await admin.end();
      await local.close();
      await dropDatabase(serverUrl, name);
    }
  },
};
