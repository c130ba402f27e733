import { type Database, leadImports, withTenant } from "@autopilot/db";
import { eq, sql } from "drizzle-orm";
import { toBase64 } from "../../lib/base64.js";
import { actingUserId, type SalesActor } from "../crm/actor.js";
import { AppError, notFound } from "../errors.js";
import { CsvError, parseCsv } from "./csv.js";
import type { RowError } from "./import-rows.js";

// A CSV import is accepted in the request and run as a queue job (import-job.ts). The request reads
// the whole file once without keeping more than the bytes: the header, the CSV syntax and the row
// count are checked there, so a file that cannot be imported is refused with a 400 and nothing is
// written; rows are validated and written by the job, which reports progress on the import row.

export const IMPORT_LIMITS = { maxRows: 50_000, maxBytes: 10 * 1024 * 1024, maxStoredErrors: 1000 };

export type ImportReport = {
  importId: string;
  status: "running" | "done" | "failed";
  /** Data rows in the file. */
  totalRows: number;
  /** Data rows handled so far (imported + failed). */
  rows: number;
  imported: number;
  failed: number;
  errors: RowError[];
};

const bad = (message: string) => new AppError("invalid_request", `body: ${message}`);

/** Passes the bytes through while keeping a copy, and refuses a body over `maxBytes` as it streams. */
function keepCopy(maxBytes: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new AppError("too_large", `body: at most ${maxBytes} bytes`);
      chunks.push(chunk);
      controller.enqueue(chunk);
    },
  });
  const bytes = () => {
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  };
  return { tap, bytes };
}

/** Header names as the job reads them. */
export const headerOf = (fields: string[]) => fields.map((h) => h.trim().toLowerCase());

/**
 * Checks a CSV body (header with an email or phone column, readable CSV, at most maxRows data rows,
 * at most maxBytes) and stores it as a running import; the caller queues the job. A refusal cancels
 * the unread rest of the body (an unread request body stalls its connection).
 */
export async function acceptLeadsCsv(
  db: Database,
  actor: SalesActor,
  body: ReadableStream<Uint8Array>,
  limits = IMPORT_LIMITS,
): Promise<ImportReport> {
  const copy = keepCopy(limits.maxBytes);
  const records = parseCsv(body.pipeThrough(copy.tap));
  let totalRows = 0;
  try {
    const first = await records.next();
    if (first.done) throw bad("the CSV is empty");
    const header = headerOf(first.value.fields);
    if (!header.includes("email") && !header.includes("phone"))
      throw bad("the header needs an email or a phone column");
    for await (const _ of records) {
      totalRows++;
      if (totalRows > limits.maxRows) throw bad(`more than ${limits.maxRows} rows; split the file`);
    }
  } catch (error) {
    await records.return(undefined); // cancels the unread rest of the body
    if (error instanceof CsvError) throw bad(`line ${error.line}: ${error.message}`);
    throw error;
  }
  if (totalRows === 0) throw bad("the CSV has a header and no rows");
  const [created] = await withTenant(db, actor.tenantId, (tx) =>
    tx
      .insert(leadImports)
      .values({
        tenantId: actor.tenantId,
        createdBy: actingUserId(actor),
        totalRows,
        data: sql`decode(${toBase64(copy.bytes())}, 'base64')`,
      })
      .returning(),
  );
  if (!created) throw new Error("import insert returned nothing");
  return report(created);
}

function report(row: typeof leadImports.$inferSelect): ImportReport {
  return {
    importId: row.id,
    status: row.status,
    totalRows: row.totalRows,
    rows: row.rows,
    imported: row.imported,
    failed: row.failed,
    errors: row.errors,
  };
}

export async function getImport(db: Database, tenantId: string, id: string): Promise<ImportReport> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx.select().from(leadImports).where(eq(leadImports.id, id));
    if (!row) throw notFound("import");
    return report(row);
  });
}
