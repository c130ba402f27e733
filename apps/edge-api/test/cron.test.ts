import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronJobs, runJobs } from "../src/cron.js";
import type { Logger } from "../src/lib/log.js";
import { ownerDb } from "./helpers.js";

// The cron tick runs each job on its own (issue 15, item 17): a job that fails is logged with its
// name, and the jobs after it still run.

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (msg, fields) => lines.push({ level: "info", msg, fields }),
    warn: (msg, fields) => lines.push({ level: "warn", msg, fields }),
    error: (msg, fields) => lines.push({ level: "error", msg, fields }),
  };
  return { log, lines };
}

describe("cron", () => {
  it("a failing job is logged by name and never skips the ones after it", async () => {
    const db = ownerDb();
    const { log, lines } = recordingLogger();
    try {
      const jobs = cronJobs(db, env, log).map((job) =>
        job.name === "outbox-sweep"
          ? { ...job, run: () => Promise.reject(new Error("connection refused")) }
          : job,
      );
      const at = new Date("2026-12-04T10:07:00Z"); // the hourly jobs are due at minute 7
      const outcome = await runJobs(jobs, at, log);
      expect(outcome).toEqual({
        "outbox-sweep": "failed",
        "analytics-fold": "ok",
        retention: "ok",
        "rejected-events-prune": "ok",
        "idempotency-prune": "ok",
        "dead-letters-replay": "ok",
        "sales-jobs": "ok",
        "knowledge-refresh": "ok",
        "knowledge-stuck-jobs": "skipped", // every fifth minute
        "embedding-gaps": "skipped", // hourly, at minute 37
        "import-stuck-jobs": "ok",
        "plugin-schedules": "ok",
        "plugin-calls-prune": "ok",
        "logs-prune": "ok",
      });
      expect(lines.find((l) => l.level === "error")).toMatchObject({
        msg: "cron job failed",
        fields: { job: "outbox-sweep", error: { message: "connection refused" } },
      });
      const offHour = await runJobs(jobs, new Date("2026-12-04T10:08:00Z"), log);
      expect(offHour.retention).toBe("skipped");
      expect(offHour["sales-jobs"]).toBe("ok");
    } finally {
      await db.end();
    }
  });
});
