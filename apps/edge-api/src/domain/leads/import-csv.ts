import { type Database, leadImports, type Tx, withTenant } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../../http/errors.js";
import { actingUserId, type SalesActor } from "../crm/actor.js";
import { normalizePhone } from "../crm/normalize.js";
import { insertLead, type NewLead } from "./create-lead.js";
import { CsvError, parseCsv } from "./csv.js";

export const IMPORT_LIMITS = { maxRows: 50_000, batchRows: 100, maxStoredErrors: 1000 };

/** Columns with a meaning; any other column becomes a lead attribute (numbers parsed). */
const KNOWN = [
  "name",
  "email",
  "phone",
  "company",
  "domain",
  "title",
  "territory",
  "language",
  "product",
  "budget",
  "authority",
  "need",
  "timeline",
] as const;

export type RowError = { row: number; field: string; message: string };
export type ImportReport = {
  importId: string;
  status: "running" | "done" | "failed";
  rows: number;
  imported: number;
  failed: number;
  errors: RowError[];
};

const emailSchema = z.email();

/** Validates one CSV record into a lead, or says which field is wrong. */
function toLead(header: string[], fields: string[]): { lead: NewLead } | { field: string; message: string } {
  const get = (name: string) => {
    const i = header.indexOf(name);
    return i >= 0 ? (fields[i] ?? "").trim() : "";
  };
  if (fields.length !== header.length) {
    return { field: "row", message: `has ${fields.length} fields, the header has ${header.length}` };
  }
  const email = get("email");
  const phone = get("phone");
  if (!email && !phone) return { field: "email", message: "an email or a phone is required" };
  if (email && !emailSchema.safeParse(email).success) return { field: "email", message: "not a valid email" };
  if (phone && !normalizePhone(phone)) return { field: "phone", message: "not a valid phone number" };
  const budgetText = get("budget");
  const budget = budgetText ? Number(budgetText.replace(/[\s,]/g, "")) : null;
  if (budgetText && !Number.isFinite(budget)) return { field: "budget", message: "not a number" };
  const authorityText = get("authority").toLowerCase();
  const attributes: Record<string, unknown> = {};
  header.forEach((h, i) => {
    if ((KNOWN as readonly string[]).includes(h) || !h) return;
    const v = (fields[i] ?? "").trim();
    if (v === "") return;
    attributes[h] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  });
  const company = get("company");
  return {
    lead: {
      source: "import",
      contact: { name: get("name"), email: email || null, phone: phone || null },
      ...(company ? { company: { name: company, domain: get("domain") || null } } : {}),
      title: get("title"),
      territory: get("territory") || null,
      language: get("language") || null,
      product: get("product") || null,
      attributes,
      signals: {
        budget,
        authority: authorityText ? ["yes", "true", "1", "y"].includes(authorityText) : null,
        need: get("need") || null,
        timeline: get("timeline") || null,
      },
    },
  };
}

async function writeBatch(
  tx: Tx,
  actor: SalesActor,
  batch: { line: number; lead: NewLead }[],
  errors: RowError[],
): Promise<number> {
  let imported = 0;
  for (const { line, lead } of batch) {
    // A savepoint per row: one row the database refuses does not undo the rest of the batch.
    await tx.execute(sql`savepoint import_row`);
    try {
      await insertLead(tx, actor, lead);
      await tx.execute(sql`release savepoint import_row`);
      imported++;
    } catch (error) {
      await tx.execute(sql`rollback to savepoint import_row`);
      const message = error instanceof AppError ? error.message : "could not be saved";
      errors.push({
        row: line,
        field: error instanceof AppError ? (message.split(":")[0] ?? "row") : "row",
        message,
      });
    }
  }
  return imported;
}

/**
 * Imports leads from CSV, streamed: records are parsed as the body arrives and written in batches
 * of 100 (one transaction each), the import row's counters updated with each batch so GET
 * /v1/leads/imports/{id} shows progress. Bad rows are reported (row, field, message) and skipped;
 * good rows are imported.
 */
export async function importLeadsCsv(
  db: Database,
  actor: SalesActor,
  body: ReadableStream<Uint8Array>,
): Promise<ImportReport> {
  const records = parseCsv(body);
  let header: string[];
  try {
    const first = await records.next();
    if (first.done) throw new AppError(400, "invalid_request", "body: the CSV is empty");
    header = first.value.fields.map((h) => h.trim().toLowerCase());
  } catch (error) {
    if (error instanceof CsvError)
      throw new AppError(400, "invalid_request", `body: line ${error.line}: ${error.message}`);
    throw error;
  }
  if (!header.includes("email") && !header.includes("phone")) {
    await records.return(undefined); // cancels the unread rest of the body
    throw new AppError(400, "invalid_request", "body: the header needs an email or a phone column");
  }
  const [created] = await withTenant(db, actor.tenantId, (tx) =>
    tx
      .insert(leadImports)
      .values({ tenantId: actor.tenantId, createdBy: actingUserId(actor) })
      .returning({ id: leadImports.id }),
  );
  if (!created) throw new Error("import insert returned nothing");
  const importId = created.id;
  const errors: RowError[] = [];
  let rows = 0;
  let imported = 0;
  let batch: { line: number; lead: NewLead }[] = [];
  const flush = async () => {
    const pending = batch;
    batch = [];
    await withTenant(db, actor.tenantId, async (tx) => {
      imported += pending.length ? await writeBatch(tx, actor, pending, errors) : 0;
      await tx
        .update(leadImports)
        .set({
          rows,
          imported,
          failed: errors.length,
          errors: errors.slice(0, IMPORT_LIMITS.maxStoredErrors),
        })
        .where(eq(leadImports.id, importId));
    });
  };
  let status: ImportReport["status"] = "done";
  try {
    for await (const record of records) {
      if (rows >= IMPORT_LIMITS.maxRows) {
        errors.push({
          row: record.line,
          field: "body",
          message: `more than ${IMPORT_LIMITS.maxRows} rows; the rest was not read`,
        });
        break;
      }
      rows++;
      const parsed = toLead(header, record.fields);
      if ("lead" in parsed) batch.push({ line: record.line, lead: parsed.lead });
      else
        errors.push({ row: record.line, field: parsed.field, message: `${parsed.field}: ${parsed.message}` });
      if (batch.length >= IMPORT_LIMITS.batchRows) await flush();
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    errors.push({ row: error.line, field: "body", message: error.message });
    status = "failed";
  }
  await flush();
  await withTenant(db, actor.tenantId, (tx) =>
    tx.update(leadImports).set({ status, finishedAt: new Date() }).where(eq(leadImports.id, importId)),
  );
  return {
    importId,
    status,
    rows,
    imported,
    failed: errors.length,
    errors: errors.slice(0, IMPORT_LIMITS.maxStoredErrors),
  };
}

export async function getImport(db: Database, tenantId: string, id: string): Promise<ImportReport> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx.select().from(leadImports).where(eq(leadImports.id, id));
    if (!row) throw notFound("import");
    return {
      importId: row.id,
      status: row.status,
      rows: row.rows,
      imported: row.imported,
      failed: row.failed,
      errors: row.errors,
    };
  });
}
