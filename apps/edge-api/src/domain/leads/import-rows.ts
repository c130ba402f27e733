import type { Tx } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { SalesActor } from "../crm/actor.js";
import { normalizePhone } from "../crm/normalize.js";
import { AppError } from "../errors.js";
import { insertLead, type NewLead } from "./create-lead.js";

// One CSV record → one lead: the columns with a meaning, the rest as attributes; and the batch write
// that keeps one refused row from undoing the others.

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

const emailSchema = z.email();

/** Validates one CSV record into a lead, or says which field is wrong. */
export function toLead(
  header: string[],
  fields: string[],
): { lead: NewLead } | { field: string; message: string } {
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

export async function writeBatch(
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
