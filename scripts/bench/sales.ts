// Issue 6's benchmark, on the PostgreSQL server named by DATABASE_URL (a fresh database per run):
// 1. assign SALES_LEADS (10,000) leads by a round-robin rule to a team of 4, SALES_IN_FLIGHT at a
//    time, each through the neon driver and the WebSocket bridge, two ways in the same run: one
//    withTenant transaction per lead (assignLead: team row lock, rule match, candidates with open-lead
//    counts, decision, event, notification), and the AssignmentCoordinator's way (its Batcher over
//    assignLeads: the leads that arrive while a batch runs are assigned together in one transaction,
//    the team locked and read once), also with SALES_BURST_IN_FLIGHT (64) at a time, and with leads
//    arriving at SALES_OFFERED_RATE (1,000) a second however long each takes (open loop). The
//    Durable Object itself is not in the loop (no workerd here): it only feeds its Batcher with these
//    same calls.
// 2. the forecast (the rollups the deal triggers keep, migration 0019, + the engine's pure functions,
//    win rate, velocity) over SALES_DEALS (100,000) deals of one tenant, seeded through those triggers:
//    median of SALES_FORECAST_RUNS runs after two warm-ups.
import type { openDatabase } from "@autopilot/db";
import {
  type AssignRequest,
  assignLead,
  assignLeads,
} from "../../apps/edge-api/src/domain/assignment/assign-lead.js";
import { Batcher } from "../../apps/edge-api/src/domain/assignment/batcher.js";
import { forecast } from "../../apps/edge-api/src/domain/deals/forecast.js";
import type { Bench } from "./registry.js";
import { serverDatabase } from "./server-database.js";
import { percentile, round } from "./stats.js";

const LEADS = Number(process.env.SALES_LEADS ?? 10_000);
const DEALS = Number(process.env.SALES_DEALS ?? 100_000);
const IN_FLIGHT = Number(process.env.SALES_IN_FLIGHT ?? 8);
const BURST_IN_FLIGHT = Number(process.env.SALES_BURST_IN_FLIGHT ?? 64);
const OFFERED_RATE = Number(process.env.SALES_OFFERED_RATE ?? 1_000);
const FORECAST_RUNS = Number(process.env.SALES_FORECAST_RUNS ?? 15);
const TARGET_FORECAST_MEDIAN_MS = 100;
const REPS = 4;

type Db = ReturnType<typeof openDatabase>;

export async function seedTeam(admin: Db, tenantId: string): Promise<string[]> {
  const reps = await admin.query<{ id: string }>(
    `insert into users (email, name, password_hash, password_salt)
     select 'rep' || g || '-' || $1 || '@bench.test', 'Rep ' || g, 'x', 'x' from generate_series(1, $2) g returning id`,
    [tenantId.slice(0, 8), REPS],
  );
  const ids = reps.map((r) => r.id);
  for (const id of ids)
    await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'agent')", [
      tenantId,
      id,
    ]);
  const [team] = await admin.query<{ id: string }>(
    "insert into teams (tenant_id, name) values ($1, 'Sales') returning id",
    [tenantId],
  );
  for (const id of ids) {
    await admin.query("insert into team_members (tenant_id, team_id, user_id) values ($1, $2, $3)", [
      tenantId,
      team?.id,
      id,
    ]);
  }
  await admin.query(
    "insert into assignment_rules (tenant_id, name, strategy, team_id) values ($1, 'everyone', 'round_robin', $2)",
    [tenantId, team?.id],
  );
  return ids;
}

async function seedLeads(admin: Db, tenantId: string, n: number): Promise<string[]> {
  const rows = await admin.query<{ id: string }>(
    `with c as (insert into contacts (tenant_id, name) select $1, 'bench ' || g from generate_series(1, $2) g returning id)
     insert into leads (tenant_id, contact_id, source, title) select $1, c.id, 'api', 'bench' from c returning id`,
    [tenantId, n],
  );
  return rows.map((r) => r.id);
}

/** `n` deals over two years, owned by the reps, in every stage, with their stage history. */
export async function seedDeals(admin: Db, tenantId: string, owners: string[], n: number): Promise<void> {
  const [p] = await admin.query<{ id: string }>(
    "insert into pipelines (tenant_id, name, is_default) values ($1, 'Bench', true) returning id",
    [tenantId],
  );
  const stageRows = await admin.query<{ id: string }>(
    `insert into stages (tenant_id, pipeline_id, name, position, probability, category)
     values ($1, $2, 'Lead-in', 0, 10, 'open'), ($1, $2, 'Qualified', 1, 30, 'open'), ($1, $2, 'Proposal', 2, 60, 'open'),
            ($1, $2, 'Negotiation', 3, 80, 'open'), ($1, $2, 'Won', 4, 100, 'won'), ($1, $2, 'Lost', 5, 0, 'lost')
     returning id`,
    [tenantId, p?.id],
  );
  const stages = stageRows.map((s) => s.id);
  await admin.query(
    `insert into deals (tenant_id, pipeline_id, stage_id, title, amount, currency, expected_close_date, forecast_category,
                        owner_id, closed_at, created_at)
     select $1, $2, ($3::uuid[])[1 + (g % 6)], 'deal ' || g, 1000 + (g * 7919) % 90000, 'USD',
            date '2026-01-01' + (g % 730), (array['pipeline','best_case','commit'])[1 + (g % 3)],
            ($4::uuid[])[1 + (g % ${owners.length})],
            case when g % 6 >= 4 then timestamptz '2026-01-01' + ((g % 700) || ' days')::interval end,
            timestamptz '2025-06-01' + ((g % 500) || ' days')::interval
     from generate_series(1, $5) g`,
    [tenantId, p?.id, stages, owners, n],
  );
  // History: every deal entered Lead-in, then its current stage (closed deals pass through Proposal).
  await admin.query(
    `insert into deal_stage_history (tenant_id, deal_id, from_stage_id, to_stage_id, changed_at)
     select tenant_id, id, null, $2::uuid, created_at from deals where tenant_id = $1
     union all
     select tenant_id, id, $2::uuid, stage_id, created_at + interval '1 day' from deals where tenant_id = $1 and stage_id <> $2::uuid`,
    [tenantId, stages[0]],
  );
  await admin.query("analyze deals; analyze stages; analyze deal_stage_history");
}

/**
 * Submits `ids` at OFFERED_RATE a second (open loop: a late batch does not slow the arrivals), and
 * records each one's time from its due arrival to its outcome. Throws, once all have answered, if
 * any was refused or failed (a failure is kept, not left to reject unwatched while arrivals go on).
 */
async function offer(ids: string[], submit: (id: string) => Promise<unknown>, latencies: number[]) {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const failures: string[] = [];
  let next = 0;
  while (next < ids.length) {
    const due = Math.min(ids.length, Math.floor(((performance.now() - start) / 1000) * OFFERED_RATE) + 1);
    for (; next < due; next++) {
      const arrival = start + (next / OFFERED_RATE) * 1000;
      const id = ids[next] as string;
      pending.push(
        submit(id).then(
          (outcome) => {
            if ((outcome as { ok?: boolean }).ok) latencies.push(performance.now() - arrival);
            else failures.push(`lead ${id} was not assigned`);
          },
          (error: unknown) => void failures.push(`lead ${id}: ${String(error)}`),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  if (failures.length > 0) throw new Error(`${failures.length} leads failed, first: ${failures[0]}`);
}

export const sales: Bench = {
  name: "sales",
  description:
    "assign 10,000 leads by round-robin one by one and batched (leads/s); forecast over 100,000 deals (median ms)",
  async run(): Promise<Record<string, number>> {
    const database = await serverDatabase("sales");
    if (!database) return { skipped: 1 };
    const { admin, open } = database;
    try {
      // 1. Assignment, both ways in the same run, each in a workspace of its own (same team, rule, leads):
      // one transaction per lead, IN_FLIGHT at a time (as before batching), and the coordinator's way
      // (its Batcher: what arrives while a batch runs goes in the next, one transaction per batch).
      // `offered`: leads arrive at OFFERED_RATE a second whether or not earlier ones are done (as
      // forms, webhooks and imports from many visitors do), through the coordinator's Batcher; each
      // lead's latency is from its arrival to its outcome. `inFlight` is then unused.
      const assignBy = async (mode: "one_by_one" | "batched" | "offered", inFlight: number) => {
        const [tenant] = await admin.query<{ id: string }>(
          "insert into tenants (name) values ('Bench') returning id",
        );
        const tenantId = tenant?.id as string;
        const reps = await seedTeam(admin, tenantId);
        const leads = await seedLeads(admin, tenantId, LEADS);
        const queue = [...leads];
        const coordinatorDb = open();
        const batcher = new Batcher<AssignRequest, unknown>((items) =>
          assignLeads(coordinatorDb, tenantId, items),
        );
        const latencies: number[] = [];
        const t0 = performance.now();
        try {
          if (mode === "offered") await offer(queue, (id) => batcher.submit({ leadId: id }), latencies);
          else
            await Promise.all(
              Array.from({ length: inFlight }, async () => {
                const db = open();
                try {
                  for (let id = queue.shift(); id; id = queue.shift()) {
                    if (mode === "batched") await batcher.submit({ leadId: id });
                    else await assignLead(db, tenantId, id);
                  }
                } finally {
                  await db.end();
                }
              }),
            );
        } finally {
          await coordinatorDb.end();
        }
        const seconds = (performance.now() - t0) / 1000;
        const counts = await admin.query<{ n: number }>(
          "select count(*)::int as n from leads where tenant_id = $1 and owner_id is not null group by owner_id order by 1",
          [tenantId],
        );
        const assigned = counts.reduce((sum, c) => sum + c.n, 0);
        if (assigned !== leads.length)
          throw new Error(`${mode}: ${assigned} of ${leads.length} leads assigned`);
        const spread = (counts.at(-1)?.n ?? 0) - (counts[0]?.n ?? 0);
        const perS = leads.length / seconds;
        latencies.sort((a, b) => a - b);
        const how =
          mode === "offered"
            ? `arriving at ${OFFERED_RATE}/s, batched: latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms;`
            : `${mode.replaceAll("_", " ")}, ${inFlight} in flight:`;
        console.log(
          `  ${how} ${leads.length} in ${seconds.toFixed(1)} s = ${perS.toFixed(0)} leads/s; per rep ${counts.map((c) => c.n).join("/")} (spread ${spread})`,
        );
        return { tenantId, reps, perS, spread, n: leads.length, latencies };
      };
      console.log(`  ${LEADS} leads per way, a team of ${REPS} reps, one round-robin rule`);
      const single = await assignBy("one_by_one", IN_FLIGHT);
      const batched = await assignBy("batched", IN_FLIGHT);
      const burst = await assignBy("batched", BURST_IN_FLIGHT);
      const offered = await assignBy("offered", 0);
      const { tenantId, reps } = batched;
      const leadsPerS = batched.perS;
      const spread = Math.max(single.spread, batched.spread, burst.spread, offered.spread);

      // 2. Forecast.
      const t1 = performance.now();
      await seedDeals(admin, tenantId, reps, DEALS);
      console.log(
        `  ${DEALS} deals with history seeded in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      const db = open();
      const times: number[] = [];
      let cells = 0;
      try {
        for (let i = 0; i < FORECAST_RUNS + 2; i++) {
          const s = performance.now();
          const result = await forecast(db, tenantId, { currency: "USD" });
          if (i >= 2) times.push(performance.now() - s);
          cells = result.cells.length;
        }
      } finally {
        await db.end();
      }
      times.sort((a, b) => a - b);
      const median = percentile(times, 50);
      console.log(
        `  forecast over ${DEALS} deals: median ${median.toFixed(1)} ms, p90 ${percentile(times, 90).toFixed(1)} ms (${cells} month×owner cells; target median ≤ ${TARGET_FORECAST_MEDIAN_MS} ms)`,
      );
      return {
        assign_leads_per_s: round(leadsPerS, 1),
        assign_one_by_one_leads_per_s: round(single.perS, 1),
        assign_batched_over_one_by_one: round(leadsPerS / single.perS, 2),
        assign_burst_leads_per_s: round(burst.perS, 1),
        assign_burst_in_flight: BURST_IN_FLIGHT,
        assign_offered_leads_per_s: OFFERED_RATE,
        assign_offered_achieved_leads_per_s: round(offered.perS, 1),
        assign_offered_p50_ms: round(percentile(offered.latencies, 50), 2),
        assign_offered_p99_ms: round(percentile(offered.latencies, 99), 2),
        assign_leads: batched.n,
        assign_in_flight: IN_FLIGHT,
        assign_round_robin_spread_leads: spread,
        forecast_deals: DEALS,
        forecast_median_ms: round(median, 2),
        forecast_p90_ms: round(percentile(times, 90), 2),
        forecast_target_median_ms: TARGET_FORECAST_MEDIAN_MS,
      };
    } finally {
      await database.close();
    }
  },
};
