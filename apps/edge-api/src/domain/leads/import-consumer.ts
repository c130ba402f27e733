import { openDatabase } from "@autopilot/db";
import type { Env } from "../../env.js";
import { flushOutbox } from "../../events/outbox.js";
import { createLogger } from "../../lib/log.js";
import { importMessageSchema, runImportSlice } from "./import-job.js";

export const LEAD_IMPORTS_QUEUE = "lead-imports";

/** Rows one queue invocation handles before it hands on to the next slice. */
export function sliceRows(env: Pick<Env, "IMPORT_SLICE_ROWS">): number {
  const n = Number(env.IMPORT_SLICE_ROWS);
  return Number.isInteger(n) && n > 0 ? n : 5000;
}

/**
 * Consumer of the `lead-imports` queue: one slice of one import per message, then the next slice is
 * queued; the leads' events go out right after (the cron's outbox sweep covers a failure). A slice
 * that throws (the database away) is retried with backoff and resumes from the committed progress.
 */
export async function consumeImports(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  try {
    for (const message of batch.messages) {
      const parsed = importMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        log.warn("invalid import message dropped", { id: message.id, error: parsed.error.message });
        message.ack();
        continue;
      }
      const job = parsed.data;
      try {
        const result = await runImportSlice(db, job, sliceRows(env), log);
        log.info("lead import slice", { ...job, ...result });
        if (result.status === "running" && result.handled > 0) await env.LEAD_IMPORTS.send(job);
        message.ack();
        for (let i = 0; i < 100; i++) {
          const flushed = await flushOutbox(db, job.tenantId, env.EVENTS);
          if (flushed.sent === 0 || flushed.failed > 0) break;
        }
      } catch (error) {
        log.error("lead import slice failed; retried", { ...job, error: String(error) });
        message.retry({ delaySeconds: Math.min(300, 5 * 2 ** Math.min(message.attempts, 6)) });
      }
    }
  } finally {
    await db.end();
  }
}
