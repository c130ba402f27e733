// Over 400 lines on purpose: the ingest and report measurements share one generated million-event dataset.
// Issue 7's benchmark, on the PostgreSQL server named by DATABASE_URL (a fresh database per run).
// Ingest goes through the queue consumer's own code path (ingestMessages: zod validation, grouping by
// tenant, one analytics_ingest call per batch — for each tenant in it, the events insert —, acks);
// then the fold (analytics_fold, per tenant, what the cron's sweep and every report run) adds the
// backlog to the 15-minute and daily rollups, funnel tables and cohort, checked exact against the
// events. Ingest runs in Queue batches of 100, with as many batches in
// flight as the consumer runs (max_concurrency of the `events` consumer in wrangler.toml;
// ANALYTICS_IN_FLIGHT overrides), each in-flight invocation with its own connection pool, through the
// neon driver and the WebSocket bridge. Tenants have opened a report, so ingest keeps their daily
// rollups too: the steady state.
// 1. Headline, arrival order: what a live Queue delivers. ANALYTICS_LIVE_TENANTS tenants (default 4,
//    "a handful") each produce conversations; the Queue carries their events in time order, tenants
//    interleaved, and each batch is the next 100 messages. A batch then spans minutes, so its rollup
//    keys collapse (pre-aggregated per batch), and the batches in flight add to the same buckets' rows.
//    Each batch holds ~4 tenants' events, i.e. ~4 statements of ~25 events in its transaction. Then
//    the same with one tenant (a quarter as many events): one statement per batch.
// 2. Worst case, shuffled: one tenant's 1,000,000 events over a year in batches of 100 consecutive
//    events, batches shuffled (a backfill or replay in no order): ~87 of 100 rollup keys per batch
//    distinct, so pre-aggregation saves little. Reports (4.) run over this tenant.
// 3. A raw server-side COPY of the arrival-order rows into an identical table (same indexes): the
//    ceiling both rates are divided by. Beside it, the least any ingest must do: the same batches as
//    plain INSERT … ON CONFLICT (id) DO NOTHING statements into such a table (no rollups, no RLS), the
//    same number in flight through the same driver: the machine's ceiling for batches of 100. The
//    arrival-order ingest and these plain INSERTs run in alternating slices (ROUNDS), so both meet
//    the same background load; the shuffled run (2.) is compared with them afterwards.
// 4. Every report over the 1,000,000 events (median of ANALYTICS_REPORT_RUNS runs).
// Beside the rates, CPU per event: the database's (the server processes of the bench database's
// connections, from /proc when the server is on this machine) against COPY's per row, and this
// process's. On a shared 2-CPU machine those move far less with the load than events/s do.
// ANALYTICS_EVENTS (default 1,000,000; the arrival-order run ingests ANALYTICS_LIVE_EVENTS, default half
// of it) and ANALYTICS_SKIP_REPORTS=1 make shorter runs.
// Not included: the LiveStats Durable Object call after commit (no workerd here).
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { type openDatabase, withTenant } from "@autopilot/db";
import { type AppEvent, eventSchema } from "@autopilot/sdk";
import { type IngestMessage, ingestMessages } from "../../apps/edge-api/src/analytics/consume.js";
import { toEventRow } from "../../apps/edge-api/src/analytics/dimensions.js";
import { foldEvents } from "../../apps/edge-api/src/analytics/fold.js";
import { REPORTS, type ReportName } from "../../apps/edge-api/src/analytics/reports/index.js";
import { reportQuerySchema } from "../../apps/edge-api/src/analytics/reports/query.js";
import { runReport } from "../../apps/edge-api/src/analytics/reports/run.js";
import type { Logger } from "../../apps/edge-api/src/lib/log.js";
import type { Bench } from "./registry.js";
import { serverDatabase } from "./server-database.js";
import { percentile, round } from "./stats.js";

const TOTAL_EVENTS = Number(process.env.ANALYTICS_EVENTS ?? 1_000_000);
const SKIP_REPORTS = process.env.ANALYTICS_SKIP_REPORTS === "1";
const LIVE_EVENTS = Number(process.env.ANALYTICS_LIVE_EVENTS ?? Math.ceil(TOTAL_EVENTS / 2));
const LIVE_TENANTS = Number(process.env.ANALYTICS_LIVE_TENANTS ?? 4);
const IN_FLIGHT = Number(process.env.ANALYTICS_IN_FLIGHT ?? consumerConcurrency("events"));
const REPORT_RUNS = Number(process.env.ANALYTICS_REPORT_RUNS ?? 15);
const BATCH = 100;
const ROUNDS = 4; // the arrival-order ingest and its plain-INSERT floor alternate in this many slices
const POOL_SIZE = 4; // openDatabase's Pool max: all are warmed, whichever the pool hands out
const TARGET_EVENTS_PER_S = 50_000;
const TARGET_REPORT_MEDIAN_MS = 50; // issue 22 (issue 7 asked for 100)
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
function generate(tenantId: string, total: number, seed = 7): AppEvent[] {
  const rand = rng(seed);
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

/** Consecutive events in batches of 100 (a Queue batch is the next 100 messages). */
function batchesOf(events: AppEvent[]): AppEvent[][] {
  const batches: AppEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  return batches;
}

/** The same batches in shuffled order (a backfill or replay: batches from anywhere in the year). */
function shuffled(batches: AppEvent[][]): AppEvent[][] {
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

type IngestRun = {
  seconds: number;
  rate: number;
  /** Server CPU of the bench database's connections per event (NaN when the server is elsewhere). */
  dbUsPerEvent: number;
  clientUsPerEvent: number;
  clientCpuShare: number;
  /** Time the main thread spent in garbage collection per event (part of clientUsPerEvent). */
  gcUsPerEvent: number;
  load1: number;
};

/** 1-minute load average, and all three for the printed lines. */
const load1 = () => loadavg()[0] ?? 0;
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

type Db = ReturnType<typeof openDatabase>;

/** The consumer's code on one batch; returns the events inserted. */
const consumerIngest = (stats: { acked: number; retried: number }) => async (db: Db, batch: AppEvent[]) =>
  (await ingestMessages(db, "events", asMessages(batch, stats), quiet)).inserted;

/**
 * Ingests `batches` with `ingest` (the consumer's code unless given), IN_FLIGHT invocations at a time,
 * each with its own Database (the small pool a consumer invocation opens). Server CPU is summed over
 * every backend of the bench database (read from /proc before and after; a connection opened
 * meanwhile counts from zero).
 */
async function ingestAll(
  admin: Db,
  open: () => Db,
  batches: AppEvent[][],
  total: number,
  ingest?: (db: Db, batch: AppEvent[]) => Promise<number>,
): Promise<IngestRun> {
  const backends = async () => {
    const rows = await admin.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return new Map(rows.map((r) => [Number(r.pid), backendCpuSeconds(Number(r.pid))]));
  };
  const stats = { acked: 0, retried: 0 };
  const run = ingest ?? consumerIngest(stats);
  let next = 0;
  let inserted = 0;
  const slots = Array.from({ length: IN_FLIGHT }, open);
  // Warm every connection the slots will use before the clock starts, as a long-running pooler's are:
  // a server process's first calls compile analytics_ingest and plan its statement (~60 ms CPU, the
  // first 5 with custom plans), which over 64 fresh connections would add ~80 µs to each of 50,000
  // events. A call with no rows does that and writes nothing. Their server processes are then known.
  const warm = JSON.stringify([{ tenant: batches[0]?.[0]?.tenantId, rows: [] }]);
  await Promise.all(
    slots.map(async (db) => {
      const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => db.pool.connect()));
      for (const client of clients) {
        for (let k = 0; k < 6; k++)
          await client.query("select count(*) from analytics_ingest($1::json)", [warm]);
        client.release();
      }
    }),
  );
  const before = await backends();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ["gc"] });
  let after = new Map<number, number>();
  try {
    await Promise.all(
      slots.map(async (db) => {
        for (let i = next++; i < batches.length; i = next++) {
          const done = await run(db, batches[i] as AppEvent[]);
          inserted += done; // after the await: `x += await …` would lose concurrent adds
        }
      }),
    );
  } finally {
    // Entries are delivered asynchronously: take those still queued before stopping.
    for (const entry of gc.takeRecords()) gcMs += entry.duration;
    gc.disconnect();
    after = await backends();
    await Promise.all(slots.map((db) => db.end()));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (inserted !== total || (!ingest && stats.acked !== total) || stats.retried > 0)
    throw new Error(
      `ingest: inserted ${inserted}, acked ${stats.acked}, retried ${stats.retried} of ${total}`,
    );
  let dbSeconds = 0;
  for (const [pid, cpuNow] of after) dbSeconds += cpuNow - (before.get(pid) ?? 0);
  return {
    seconds,
    rate: total / seconds,
    dbUsPerEvent: (dbSeconds * 1e6) / total,
    clientUsPerEvent: (cpu.user + cpu.system) / total,
    clientCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
    gcUsPerEvent: (gcMs * 1000) / total,
    load1: load1(),
  };
}

/** Runs one after another as one: rates over their summed time, CPU per event weighted by events. */
function combineRuns(runs: IngestRun[]): IngestRun {
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const events = runs.reduce((sum, r) => sum + r.rate * r.seconds, 0);
  const perEvent = (f: (r: IngestRun) => number) =>
    runs.reduce((sum, r) => sum + f(r) * r.rate * r.seconds, 0) / events;
  return {
    seconds,
    rate: events / seconds,
    dbUsPerEvent: perEvent((r) => r.dbUsPerEvent),
    clientUsPerEvent: perEvent((r) => r.clientUsPerEvent),
    clientCpuShare: runs.reduce((sum, r) => sum + r.clientCpuShare * r.seconds, 0) / seconds,
    gcUsPerEvent: perEvent((r) => r.gcUsPerEvent),
    load1: runs.at(-1)?.load1 ?? load1(),
  };
}

type FoldRun = { seconds: number; rate: number };

/**
 * The second half of the write path: folds each tenant's whole backlog into the rollups, as the cron's
 * sweep does (one transaction per tenant, one after another); every event must be folded exactly once.
 */
async function foldAll(admin: Db, tenants: string[], total: number): Promise<FoldRun> {
  const started = performance.now();
  let folded = 0;
  for (const t of tenants) folded += await withTenant(admin, t, (tx) => foldEvents(tx, t));
  const seconds = (performance.now() - started) / 1000;
  if (folded !== total) throw new Error(`fold: ${folded} events folded of ${total}`);
  return { seconds, rate: total / seconds };
}

const printFold = (label: string, events: number, f: FoldRun) =>
  console.log(`  ${label}: ${events} events in ${f.seconds.toFixed(2)} s, ${Math.round(f.rate)} events/s`);

/** Exact counts: every level of rollup adds up to the events, the funnel cohort to the funnel rows. */
async function checkExact(admin: ReturnType<typeof openDatabase>, tenants: string[], total: number) {
  const [check] = await admin.query<Record<string, string>>(
    `select (select sum(count) from analytics_rollups where tenant_id = any($1::uuid[]))::text as rollups,
      (select sum(count) from analytics_rollups_daily where tenant_id = any($1::uuid[]))::text as daily,
      (select sum(started)::text || '/' || sum(won)::text from analytics_funnel_daily
        where tenant_id = any($1::uuid[])) as cohort,
      (select count(started_at)::text || '/' || count(won_at) filter (where started_at is not null)::text
        from analytics_funnel where tenant_id = any($1::uuid[])) as funnel`,
    [tenants],
  );
  if (Number(check?.rollups) !== total || Number(check?.daily) !== total)
    throw new Error(`rollups ${check?.rollups}, daily ${check?.daily}, expected ${total}`);
  if (check?.cohort !== check?.funnel)
    throw new Error(`funnel cohort ${check?.cohort} (started/won), funnel rows ${check?.funnel}`);
}

const us = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "?");

function printRun(label: string, events: number, r: IngestRun) {
  console.log(
    `  ${label}: ${events} events in ${r.seconds.toFixed(2)} s, ${Math.round(r.rate)} events/s ` +
      `(load average ${r.load1.toFixed(2)} after)`,
  );
  // Where the CPU went, per event: the database's server processes, and this process (consumer code,
  // the neon driver and the local WebSocket bridge, which stands in for Neon's proxy). 1e6 / database
  // µs is what one database core could ingest.
  console.log(
    `    CPU per event: database ${us(r.dbUsPerEvent)} µs (${Number.isFinite(r.dbUsPerEvent) ? Math.round(1e6 / r.dbUsPerEvent) : "?"} events/s per database core), ` +
      `this process ${us(r.clientUsPerEvent)} µs (${r.clientCpuShare.toFixed(2)} CPU; ${us(r.gcUsPerEvent)} µs of it collecting garbage)`,
  );
}

export const analytics: Bench = {
  name: "analytics",
  description:
    "event ingest through the queue consumer's code (arrival order; shuffled) vs raw COPY; reports over 1M events",
  async run() {
    const database = await serverDatabase("analytics");
    if (!database) return { skipped: 1 };
    const { admin, open, name } = database;
    const csvPath = join(tmpdir(), `${name}.csv`);
    try {
      const newTenant = async (label: string) => {
        const [row] = await admin.query<{ id: string }>(
          "insert into tenants (name, time_zone) values ($1, $2) returning id",
          [label, TIME_ZONE],
        );
        return row?.id as string;
      };
      // Steady state: each tenant has looked at a report, so its daily rollups exist and ingest adds to them.
      const query = reportQuerySchema.parse({ from: "2026-01-01", to: "2026-12-31", groupBy: "day" });
      console.log(
        `  setup: batches of ${BATCH}, ${IN_FLIGHT} in flight (the events consumer's max_concurrency), ` +
          `headline in arrival order (${LIVE_TENANTS} tenants' events in time order, interleaved, as a live ` +
          `Queue delivers them); shuffled year-long batches of one tenant as the worst case`,
      );
      console.log(`  machine: ${cpus().length} CPUs, load average ${loads()} (1, 5, 15 min) at start`);

      // 1. Arrival order (the headline).
      const t0 = performance.now();
      const liveTenants: string[] = [];
      let liveEvents: AppEvent[] = [];
      for (let k = 0; k < LIVE_TENANTS; k++) {
        const id = await newTenant(`Bench live ${k}`);
        liveTenants.push(id);
        await runReport(admin, id, TIME_ZONE, "funnel", query);
        liveEvents = liveEvents.concat(generate(id, Math.ceil(LIVE_EVENTS / LIVE_TENANTS), 100 + k));
      }
      liveEvents = liveEvents.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      const liveBatches = batchesOf(liveEvents);
      const tenantsPerBatch =
        liveBatches.reduce((n, b) => n + new Set(b.map((e) => e.tenantId)).size, 0) / liveBatches.length;
      console.log(
        `  arrival order: ${liveEvents.length} events of ${LIVE_TENANTS} tenants, ${liveBatches.length} batches ` +
          `(${tenantsPerBatch.toFixed(1)} tenants per batch), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      // 3. The ceiling: COPY of the same rows into an identical table (same primary key and index).
      await admin.query(
        "create table bench_events_copy (like analytics_events including defaults including constraints including indexes)",
      );
      const columns = Object.keys(toEventRow(liveEvents[0] as AppEvent));
      const lines = liveEvents.map((e) => {
        const row = toEventRow(e) as unknown as Record<string, unknown>;
        return [e.tenantId, ...columns.map((c) => row[c])].map(csvCell).join(",");
      });
      writeFileSync(csvPath, `${lines.join("\n")}\n`);
      chmodSync(csvPath, 0o644);
      const copyRows = liveEvents.length;
      liveEvents = []; // frees memory before the next run
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
        (await copyPid()) === copyPidBefore ? (copyCpuSeconds * 1e6) / copyRows : Number.NaN;
      const copyRate = copyRows / copySeconds;
      const copyLoad = load1();

      await admin.query("truncate bench_events_copy");

      // The least any ingest must do: the same batches, as plain INSERT statements into the same table
      // (emptied), in the ingest's row format, as many in flight, through the same driver.
      const plainSql = `insert into bench_events_copy (tenant_id, ${columns.join(", ")})
        select x.tenant_id, ${columns.map((c) => (c === "subjects" || c === "properties" ? `x.${c}::jsonb` : `x.${c}`)).join(", ")}
        from json_to_recordset($1::json) as x(tenant_id uuid, id uuid, type text, version smallint,
          occurred_at timestamptz, actor_type text, actor_id text, conversation_id text, lead_id text,
          deal_id text, channel text, route_id text, owner_id text, detail text, step text, currency text,
          value float8, subjects text, properties text)
        order by x.id
        on conflict (id) do nothing`;
      const plainInsert = async (db: Db, batch: AppEvent[]) => {
        const rows = batch.map((e) => ({ tenant_id: e.tenantId, ...toEventRow(e) }));
        return (await db.pool.query(plainSql, [JSON.stringify(rows)])).rowCount ?? 0;
      };
      // The ingest and its floor side by side: the batches in ROUNDS slices, each slice ingested by the
      // consumer and inserted plainly, in turn (ABBA: which goes first alternates), so background work
      // (autovacuum, checkpoints, a neighbour on the machine) falls on both alike; a run of one after a
      // run of the other moved their ratio from 0.44 to 0.73 between runs.
      const liveRuns: IngestRun[] = [];
      const plainRuns: IngestRun[] = [];
      const perRound = Math.ceil(liveBatches.length / ROUNDS);
      for (let r = 0; r < ROUNDS; r++) {
        const slice = liveBatches.slice(r * perRound, (r + 1) * perRound);
        const n = slice.reduce((sum, b) => sum + b.length, 0);
        if (n === 0) continue;
        const ingestSlice = async () => liveRuns.push(await ingestAll(admin, open, slice, n));
        const plainSlice = async () => plainRuns.push(await ingestAll(admin, open, slice, n, plainInsert));
        if (r % 2 === 0) {
          await ingestSlice();
          await plainSlice();
        } else {
          await plainSlice();
          await ingestSlice();
        }
      }
      const live = combineRuns(liveRuns);
      const plain = combineRuns(plainRuns);
      const roundRatios = liveRuns.map((l, i) => l.rate / (plainRuns[i] as IngestRun).rate);
      printRun("ingest, arrival order (headline)", copyRows, live);
      printRun("plain batched INSERT of the same batches (no rollups, no RLS)", copyRows, plain);
      console.log(
        `  ingest / plain INSERT per round (${ROUNDS} rounds, alternating which goes first): ${roundRatios.map((x) => x.toFixed(3)).join(", ")}`,
      );
      await admin.query("drop table bench_events_copy");
      rmSync(csvPath, { force: true });
      const liveFold = await foldAll(admin, liveTenants, copyRows);
      await checkExact(admin, liveTenants, copyRows);
      printFold("fold into the rollups, arrival order (the cron's sweep)", copyRows, liveFold);
      // The same with one tenant, so each batch is one statement instead of ~4 (an outbox that flushes
      // a busy tenant's rows in chunks makes batches more tenant-clustered than above): shows what the
      // per-statement cost weighs.
      const soloTenant = await newTenant("Bench live solo");
      await runReport(admin, soloTenant, TIME_ZONE, "funnel", query);
      const soloEvents = generate(soloTenant, Math.ceil(LIVE_EVENTS / 4), 99).sort((a, b) =>
        a.time < b.time ? -1 : a.time > b.time ? 1 : 0,
      );
      const solo = await ingestAll(admin, open, batchesOf(soloEvents), soloEvents.length);
      await foldAll(admin, [soloTenant], soloEvents.length);
      await checkExact(admin, [soloTenant], soloEvents.length);
      printRun("ingest, arrival order, one tenant", soloEvents.length, solo);

      // 2. Worst case: one tenant's year in shuffled batches.
      const t1 = performance.now();
      const tenantId = await newTenant("Bench");
      await runReport(admin, tenantId, TIME_ZONE, "funnel", query);
      const events = generate(tenantId, TOTAL_EVENTS);
      const batches = shuffled(batchesOf(events));
      console.log(
        `  shuffled: ${events.length} events of one tenant over a year, ${batches.length} batches in shuffled order, ` +
          `generated in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      const worst = await ingestAll(admin, open, batches, events.length);
      printRun("ingest, shuffled batches (worst case)", events.length, worst);
      const worstFold = await foldAll(admin, [tenantId], events.length);
      await checkExact(admin, [tenantId], events.length);
      printFold("fold into the rollups, shuffled", events.length, worstFold);

      console.log(
        `  raw COPY of the arrival-order rows: ${copyRows} rows in ${copySeconds.toFixed(2)} s, ${Math.round(copyRate)} rows/s ` +
          `(load average ${copyLoad.toFixed(2)})` +
          (Number.isFinite(copyUsPerRow) ? `; database CPU ${copyUsPerRow.toFixed(1)} µs per row` : ""),
      );
      console.log(
        `  ingest / plain batched INSERT, database CPU per event: ${us(plain.dbUsPerEvent)} / ${us(live.dbUsPerEvent)} µs = ` +
          `${(plain.dbUsPerEvent / live.dbUsPerEvent).toFixed(3)} (the database's capacity ratio)`,
      );
      console.log(
        `  ingest / plain batched INSERT: arrival order ${(live.rate / plain.rate).toFixed(3)}, ` +
          `shuffled ${(worst.rate / plain.rate).toFixed(3)}; plain INSERT / COPY ${(plain.rate / copyRate).toFixed(3)}`,
      );
      console.log(
        `  ingest / COPY: arrival order ${(live.rate / copyRate).toFixed(3)} (CPU ${us(live.dbUsPerEvent / copyUsPerRow)}x COPY's per row), ` +
          `shuffled ${(worst.rate / copyRate).toFixed(3)} (CPU ${us(worst.dbUsPerEvent / copyUsPerRow)}x); ` +
          `target ${TARGET_EVENTS_PER_S} events/s ${live.rate >= TARGET_EVENTS_PER_S ? "met" : "NOT met"}`,
      );

      // For comparison: a fresh connection per batch (a Worker invocation without a pooler), on
      // re-sent batches (all duplicates by now, so the insert does the same lookups and no writes).
      const redeliveryStats = { acked: 0, retried: 0 };
      const sample = Math.min(batches.length, 10 * IN_FLIGHT);
      let next = 0;
      const freshStarted = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let i = next++; i < sample; i = next++) {
            const db = open();
            try {
              await ingestMessages(
                db,
                "events",
                asMessages(batches[i] as AppEvent[], redeliveryStats),
                quiet,
              );
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

      const finite = (key: string, v: number, digits = 1) =>
        Number.isFinite(v) ? { [key]: round(v, digits) } : {};
      const metrics: Record<string, number> = {
        batch_size: BATCH,
        batches_in_flight: IN_FLIGHT,
        cpus: cpus().length,
        ingest_events: copyRows,
        ingest_tenants: LIVE_TENANTS,
        ingest_events_per_s: Math.round(live.rate),
        ingest_copy_ratio: round(live.rate / copyRate, 3),
        ingest_target_events_per_s: TARGET_EVENTS_PER_S,
        ingest_load_average_1min: round(live.load1, 2),
        ...finite("ingest_database_cpu_us_per_event", live.dbUsPerEvent),
        ingest_client_cpu_us_per_event: round(live.clientUsPerEvent, 1),
        ingest_client_gc_us_per_event: round(live.gcUsPerEvent, 1),
        ingest_one_tenant_events_per_s: Math.round(solo.rate),
        ingest_one_tenant_load_average_1min: round(solo.load1, 2),
        ...finite("ingest_one_tenant_database_cpu_us_per_event", solo.dbUsPerEvent),
        ingest_shuffled_events: events.length,
        ingest_shuffled_events_per_s: Math.round(worst.rate),
        ingest_shuffled_copy_ratio: round(worst.rate / copyRate, 3),
        ingest_shuffled_load_average_1min: round(worst.load1, 2),
        ...finite("ingest_shuffled_database_cpu_us_per_event", worst.dbUsPerEvent),
        ingest_shuffled_client_cpu_us_per_event: round(worst.clientUsPerEvent, 1),
        copy_rows_per_s: Math.round(copyRate),
        plain_insert_events_per_s: Math.round(plain.rate),
        plain_insert_copy_ratio: round(plain.rate / copyRate, 3),
        ingest_plain_insert_ratio: round(live.rate / plain.rate, 3),
        ingest_plain_insert_ratio_round_min: round(Math.min(...roundRatios), 3),
        ingest_plain_insert_ratio_round_max: round(Math.max(...roundRatios), 3),
        ingest_shuffled_plain_insert_ratio: round(worst.rate / plain.rate, 3),
        // The database's share alone (its CPU per event, plain over ingest): the client's code, driver
        // and bridge run on these same two cores here, and on Workers in production.
        ...finite("ingest_plain_insert_database_cpu_ratio", plain.dbUsPerEvent / live.dbUsPerEvent, 3),
        fold_events_per_s: Math.round(liveFold.rate),
        fold_shuffled_events_per_s: Math.round(worstFold.rate),
        ...finite("plain_insert_database_cpu_us_per_event", plain.dbUsPerEvent),
        plain_insert_client_cpu_us_per_event: round(plain.clientUsPerEvent, 1),
        plain_insert_client_gc_us_per_event: round(plain.gcUsPerEvent, 1),
        copy_load_average_1min: round(copyLoad, 2),
        ...finite("copy_database_cpu_us_per_row", copyUsPerRow),
        redelivery_new_connection_per_batch_events_per_s: Math.round(freshRate),
      };
      if (SKIP_REPORTS) return metrics;
      // 4. Reports over the whole year (one tenant, 1M events), grouped by day, through withTenant.
      const reportDb = open();
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
      metrics.report_load_average_1min = round(load1(), 2);
      return metrics;
    } finally {
      rmSync(csvPath, { force: true });
      await database.close();
    }
  },
};
