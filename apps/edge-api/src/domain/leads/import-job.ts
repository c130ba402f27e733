import { type Database, leadImports, lookups, withTenant } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { fromBase64 } from "../../lib/base64.js";
import type { Logger } from "../../lib/log.js";
import { requeueEach } from "../../lib/requeue.js";
import { systemActor } from "../crm/actor.js";
import type { NewLead } from "./create-lead.js";
import { CsvError, parseCsv } from "./csv.js";
import { headerOf, IMPORT_LIMITS } from "./import-csv.js";
import { type RowError, toLead, writeBatch } from "./import-rows.js";

// The queue job of a CSV import. A slice reads the stored file, skips the rows already handled and
// writes the next ones in batches of 10, one transaction each, and the batch's progress (rows,
// imported, failed, errors) commits in the same transaction: a job stopped anywhere resumes exactly
// after the last committed batch, so no row is imported twice or skipped. A slice ends after a bounded
// number of rows (a queue invocation has limits); the consumer queues the next slice.

export const importMessageSchema = z.object({
  type: z.literal("lead-import"),
  tenantId: z.uuid(),
  importId: z.uuid(),
});
export type ImportMessage = z.infer<typeof importMessageSchema>;

/**
 * Rows per transaction. Small, because a transaction holds its connection for its whole length, and
 * the embedded database (PGlite, `npm start`) has only one: other workspaces' requests wait for it.
 */
export const IMPORT_BATCH_ROWS = 10;

export type SliceResult = { status: "running" | "done" | "failed" | "gone"; handled: number };

/** Another job took this import's progress further: this one stops (the newer one goes on). */
class LostRace extends Error {}

export async function runImportSlice(
  db: Database,
  job: ImportMessage,
  maxRows: number,
  log: Logger,
): Promise<SliceResult> {
  const { tenantId, importId } = job;
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .select({
        status: leadImports.status,
        rows: leadImports.rows,
        imported: leadImports.imported,
        failed: leadImports.failed,
        errors: leadImports.errors,
        data: sql<string | null>`encode(${leadImports.data}, 'base64')`,
      })
      .from(leadImports)
      .where(eq(leadImports.id, importId)),
  );
  if (row?.status !== "running" || row.data === null) return { status: row?.status ?? "gone", handled: 0 };
  // The job acts as the system (the uploader is on the import row, created_by).
  const actor = systemActor(tenantId);
  const progress = { rows: row.rows, imported: row.imported, failed: row.failed, errors: row.errors };
  const records = parseCsv(
    new Blob([fromBase64(row.data) as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>,
  );
  let header: string[] = [];
  let seen = -1; // data rows read from the file (the header is row -1)
  let handled = 0;
  let batch: { line: number; lead: NewLead }[] = [];
  let newErrors: RowError[] = [];

  const commit = async (final?: "done" | "failed") => {
    const pending = batch;
    const errors = newErrors;
    batch = [];
    newErrors = [];
    await withTenant(db, tenantId, async (tx) => {
      // The row lock orders concurrent jobs of one import (a re-queue racing a slow job): whoever
      // finds the progress it started from writes; the other stops without writing.
      const [current] = await tx
        .select({ rows: leadImports.rows })
        .from(leadImports)
        .where(and(eq(leadImports.id, importId), eq(leadImports.status, "running")))
        .for("update");
      if (current?.rows !== progress.rows) throw new LostRace();
      const imported = pending.length ? await writeBatch(tx, actor, pending, errors) : 0;
      progress.rows = Math.max(seen, progress.rows);
      progress.imported += imported;
      progress.failed += errors.length;
      progress.errors = [...progress.errors, ...errors].slice(0, IMPORT_LIMITS.maxStoredErrors);
      await tx
        .update(leadImports)
        .set({
          ...progress,
          updatedAt: sql`now()`,
          ...(final ? { status: final, finishedAt: sql`now()`, data: null } : {}),
        })
        .where(eq(leadImports.id, importId));
    });
  };

  try {
    for await (const record of records) {
      if (seen === -1) {
        header = headerOf(record.fields);
        seen = 0;
        continue;
      }
      seen++;
      if (seen <= progress.rows) continue; // handled by an earlier slice
      const parsed = toLead(header, record.fields);
      if ("lead" in parsed) batch.push({ line: record.line, lead: parsed.lead });
      else
        newErrors.push({
          row: record.line,
          field: parsed.field,
          message: `${parsed.field}: ${parsed.message}`,
        });
      handled++;
      if (batch.length + newErrors.length >= IMPORT_BATCH_ROWS) {
        await commit();
        if (handled >= maxRows) {
          await records.return(undefined);
          return { status: "running", handled };
        }
      }
    }
    await commit("done");
    return { status: "done", handled };
  } catch (error) {
    if (error instanceof LostRace) {
      log.warn("import slice stopped: another job went on", { tenantId, importId });
      return { status: "running", handled: 0 };
    }
    if (!(error instanceof CsvError)) throw error;
    // The file was checked when it was accepted, so this is a stored file that no longer parses.
    newErrors.push({ row: error.line, field: "body", message: error.message });
    await commit("failed");
    return { status: "failed", handled };
  }
}

/** No progress for this long while running: the import's queue message is taken as lost. */
export const IMPORT_STUCK_AFTER_MINUTES = 5;

/** Queues the slice of every import that stopped making progress (accepted work finishes). */
export async function requeueStuckImports(
  db: Database,
  enqueue: (message: ImportMessage) => Promise<unknown>,
  log: Logger,
  quietMinutes = IMPORT_STUCK_AFTER_MINUTES,
): Promise<number> {
  return requeueEach(
    await lookups.stuckLeadImports(db, quietMinutes, 50),
    async (s) => {
      // Touch first: the next sweep waits another quiet period before trying again.
      await withTenant(db, s.tenant_id, (tx) =>
        tx.update(leadImports).set({ updatedAt: sql`now()` }).where(eq(leadImports.id, s.import_id)),
      );
      await enqueue({ type: "lead-import", tenantId: s.tenant_id, importId: s.import_id });
    },
    log,
    "lead import with no progress",
  );
}
