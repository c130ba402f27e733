import type { Database } from "@autopilot/db";
import { foldDueTenants } from "./analytics/fold.js";
import { replayPendingDeadLetters } from "./analytics/replay.js";
import { enforceRetention, pruneFailedEvents, rejectedRetentionDays } from "./analytics/retention.js";
import { requeueStuckImports } from "./domain/leads/import-job.js";
import { pruneLogs } from "./domain/log-retention.js";
import { runSalesJobs } from "./domain/sales-jobs.js";
import type { Env } from "./env.js";
import { sendPendingEvents } from "./events/sender.js";
import { pruneIdempotencyKeys } from "./http/idempotency.js";
import { refreshDueSources } from "./knowledge/refresh.js";
import { requeueEmbeddingGaps, requeueStuckSources } from "./knowledge/requeue.js";
import type { Logger } from "./lib/log.js";
import { prunePluginCalls } from "./plugins/calls.js";
import { queueDueSchedules } from "./plugins/schedules.js";

// The cron tick: independent jobs, each run on its own. One job's failure (the database down for the
// outbox sweep, say) is logged with the job's name and never skips the jobs after it.

export type CronJob = {
  name: string;
  /** When absent the job runs every tick. */
  due?: (at: Date) => boolean;
  run: () => Promise<unknown>;
};

export type CronOutcome = "ok" | "failed" | "skipped";

export async function runJobs(jobs: CronJob[], at: Date, log: Logger): Promise<Record<string, CronOutcome>> {
  const outcome: Record<string, CronOutcome> = {};
  for (const job of jobs) {
    if (job.due && !job.due(at)) {
      outcome[job.name] = "skipped";
      continue;
    }
    try {
      const result = await job.run();
      log.info("cron job done", { job: job.name, result });
      outcome[job.name] = "ok";
    } catch (error) {
      log.error("cron job failed", {
        job: job.name,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      outcome[job.name] = "failed";
    }
  }
  return outcome;
}

/** Retention sweeps once an hour are plenty (everything they remove ages by days). */
const hourly = (at: Date) => at.getUTCMinutes() === 7;

export function cronJobs(db: Database, env: Env, log: Logger): CronJob[] {
  return [
    // Outboxes whose immediate flush failed (queue or database was down).
    { name: "outbox-sweep", run: () => sendPendingEvents(db, env.EVENTS, log) },
    // New analytics events into the rollups (reports fold too; this keeps what they find small).
    { name: "analytics-fold", run: () => foldDueTenants(db, log) },
    { name: "retention", due: hourly, run: () => enforceRetention(db, log) },
    {
      name: "rejected-events-prune",
      due: hourly,
      run: () => pruneFailedEvents(db, log, rejectedRetentionDays(env)),
    },
    { name: "idempotency-prune", due: hourly, run: () => pruneIdempotencyKeys(db, log) },
    // Events that ran out of retries during an outage: back into the queue once the database answers.
    { name: "dead-letters-replay", run: () => replayPendingDeadLetters(db, env.EVENTS, log) },
    // First-touch SLAs, stale deals and task reminders (bounded per run).
    { name: "sales-jobs", run: () => runSalesJobs(db, env, log) },
    // Knowledge sources whose refresh interval is up: a new crawl run each (the crawl is queued).
    { name: "knowledge-refresh", run: () => refreshDueSources(db, (m) => env.KNOWLEDGE_CRAWL.send(m), log) },
    // Crawls and extractions whose queue message was lost: queued again (accepted work finishes).
    {
      name: "knowledge-stuck-jobs",
      due: (at) => at.getUTCMinutes() % 5 === 0,
      run: () => requeueStuckSources(db, (m) => env.KNOWLEDGE_CRAWL.send(m), log),
    },
    // Chunks left without an embedding (lost message, failed provider): hourly, so a failing provider
    // is asked again once an hour, not every minute.
    {
      name: "embedding-gaps",
      due: (at) => at.getUTCMinutes() === 37,
      run: () => requeueEmbeddingGaps(db, (m) => env.KNOWLEDGE_CRAWL.send(m), log),
    },
    // CSV imports whose slice message was lost: queued again; they resume after the committed rows.
    { name: "import-stuck-jobs", run: () => requeueStuckImports(db, (m) => env.LEAD_IMPORTS.send(m), log) },
    { name: "plugin-schedules", run: () => queueDueSchedules(db, env.PLUGIN_DELIVERIES, log) },
    { name: "plugin-calls-prune", due: hourly, run: () => prunePluginCalls(db, log) },
    { name: "logs-prune", due: hourly, run: () => pruneLogs(db, log) },
  ];
}
