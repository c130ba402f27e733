import {
  companies,
  type Database,
  isUniqueViolation,
  pgErrorCode,
  recordTombstones,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { arrayContains, eq, ilike, isNull, type SQL } from "drizzle-orm";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { SalesActor } from "./actor.js";
import { checkAttributes, rememberTags } from "./attributes.js";
import { listPage, type SortSpec } from "./pagination.js";

type Row = typeof companies.$inferSelect;

export const companyView = (c: Row) => ({
  id: c.id,
  name: c.name,
  domain: c.domain,
  attributes: c.attributes,
  tags: c.tags,
  mergedIntoId: c.mergedIntoId,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});
export type CompanyView = ReturnType<typeof companyView>;

export type CompanyInput = {
  name?: string;
  domain?: string | null;
  attributes?: Record<string, unknown>;
  tags?: string[];
};

/** The company dedupe key: the bare host, lower-cased ("https://www.Acme.com/x" → "acme.com"). */
export function normalizeDomain(domain: string | null | undefined): string | null {
  const d = domain
    ?.trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[/?#].*$/, "");
  return d ? d : null;
}

const duplicate = () => new AppError("duplicate_company", "domain: a company with this domain exists");

export async function getCompanyRow(tx: Tx, id: string): Promise<Row> {
  const [row] = await tx.select().from(companies).where(eq(companies.id, id));
  if (!row) throw notFound("company");
  return row;
}

export async function createCompany(db: Database, actor: SalesActor, input: CompanyInput & { name: string }) {
  return withTenant(db, actor.tenantId, async (tx) => {
    await checkAttributes(tx, "company", input.attributes, { creating: true });
    await rememberTags(tx, actor.tenantId, input.tags);
    try {
      const [row] = await tx
        .insert(companies)
        .values({
          tenantId: actor.tenantId,
          name: input.name,
          domain: normalizeDomain(input.domain),
          attributes: input.attributes ?? {},
          tags: input.tags ?? [],
        })
        .returning();
      if (!row) throw new Error("company insert returned nothing");
      await audit(tx, actor, "company.created", { type: "company", id: row.id });
      return companyView(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate();
      throw error;
    }
  });
}

export async function getCompany(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => companyView(await getCompanyRow(tx, id)));
}

export async function updateCompany(db: Database, actor: SalesActor, id: string, input: CompanyInput) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const current = await getCompanyRow(tx, id);
    await checkAttributes(tx, "company", input.attributes, { creating: false });
    await rememberTags(tx, actor.tenantId, input.tags);
    const attributes = { ...current.attributes, ...(input.attributes ?? {}) };
    try {
      const [row] = await tx
        .update(companies)
        .set({
          name: input.name ?? current.name,
          domain: input.domain === undefined ? current.domain : normalizeDomain(input.domain),
          attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null)),
          tags: input.tags ?? current.tags,
        })
        .where(eq(companies.id, id))
        .returning();
      if (!row) throw notFound("company");
      await audit(tx, actor, "company.updated", { type: "company", id });
      return companyView(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate();
      throw error;
    }
  });
}

export async function deleteCompany(db: Database, actor: SalesActor, id: string): Promise<void> {
  await withTenant(db, actor.tenantId, async (tx) => {
    await getCompanyRow(tx, id);
    try {
      await tx.delete(companies).where(eq(companies.id, id));
    } catch (error) {
      if (pgErrorCode(error) === "23503") {
        throw new AppError("in_use", "the company still has contacts, leads or deals");
      }
      throw error;
    }
    // Sync plugins pass the deletion on (their changes feed reads tombstones).
    await tx
      .insert(recordTombstones)
      .values({ tenantId: actor.tenantId, objectType: "company", localId: id })
      .onConflictDoNothing();
    await audit(tx, actor, "company.deleted", { type: "company", id });
  });
}

export type CompanyFilters = {
  q?: string;
  domain?: string;
  tag?: string;
  sort: "created_at" | "updated_at" | "name";
  order: "asc" | "desc";
  limit: number;
  cursor?: string;
};

export async function listCompanies(db: Database, tenantId: string, f: CompanyFilters) {
  const column = { created_at: companies.createdAt, updated_at: companies.updatedAt, name: companies.name }[
    f.sort
  ];
  const spec: SortSpec = {
    column,
    idColumn: companies.id,
    type: f.sort === "name" ? "text" : "timestamptz",
    desc: f.order === "desc",
  };
  const where: (SQL | undefined)[] = [isNull(companies.mergedIntoId)];
  if (f.q) where.push(ilike(companies.name, `%${f.q.replace(/[%_\\]/g, "\\$&")}%`));
  if (f.domain) where.push(eq(companies.domain, normalizeDomain(f.domain) ?? ""));
  if (f.tag) where.push(arrayContains(companies.tags, [f.tag]));
  return withTenant(db, tenantId, async (tx) => {
    const { items, nextCursor } = await listPage(tx, companies, spec, where, f.cursor, f.limit);
    return { companies: items.map(companyView), nextCursor };
  });
}
