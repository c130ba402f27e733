import { companies, type Database, isUniqueViolation, withTenant } from "@autopilot/db";
import { CompanyUpsert } from "@autopilot/sdk";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { getCompanyRow, normalizeDomain } from "../domain/crm/companies.js";
import { AppError, notFound } from "../domain/errors.js";
import { changesOf } from "./changes-feed.js";
import type { Install } from "./storage.js";

// The companies capability: read (companies:read) and create-or-update (companies:write), inside the
// install's tenant (withTenant: row-level security), so an id of another workspace is simply not found.

type Row = typeof companies.$inferSelect;

const view = (c: Row) => ({
  id: c.id,
  name: c.name,
  domain: c.domain,
  tags: c.tags,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

const duplicate = () => new AppError("duplicate_company", "domain: a company with this domain exists");

export async function companiesCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  return withTenant(db, install.tenantId, async (tx) => {
    const byDomain = async (domain: string | null) => {
      if (!domain) return null;
      const [row] = await tx
        .select()
        .from(companies)
        .where(and(eq(companies.domain, domain), isNull(companies.mergedIntoId)));
      return row ?? null;
    };
    switch (method) {
      case "get": {
        const id = z.uuid().safeParse(args[0]);
        if (!id.success) return null;
        const [row] = await tx.select().from(companies).where(eq(companies.id, id.data));
        return row && !row.mergedIntoId ? view(row) : null;
      }
      case "findByDomain": {
        const row = await byDomain(normalizeDomain(z.string().max(253).parse(args[0])));
        return row ? view(row) : null;
      }
      case "changes": {
        const { changes, next } = await changesOf(tx, "company", args[0], async (ids) => {
          const found = ids.length ? await tx.select().from(companies).where(inArray(companies.id, ids)) : [];
          return new Map(found.map((c) => [c.id, c.mergedIntoId ? null : view(c)]));
        });
        return { companies: changes, next };
      }
      case "upsert": {
        const input = CompanyUpsert.parse(args[0]);
        const domain = input.domain === undefined ? undefined : normalizeDomain(input.domain);
        const existing = input.id ? await getCompanyRow(tx, input.id) : await byDomain(domain ?? null);
        if (existing?.mergedIntoId) throw notFound("company");
        try {
          if (!existing) {
            const [row] = await tx
              .insert(companies)
              .values({
                tenantId: install.tenantId,
                name: input.name,
                domain: domain ?? null,
                tags: input.tags ?? [],
              })
              .returning();
            if (!row) throw new AppError("internal", "companies.upsert: the company was not stored");
            return view(row);
          }
          const [row] = await tx
            .update(companies)
            .set({
              name: input.name,
              ...(domain !== undefined ? { domain } : {}),
              ...(input.tags ? { tags: [...new Set([...existing.tags, ...input.tags])] } : {}),
              updatedAt: new Date(),
            })
            .where(eq(companies.id, existing.id))
            .returning();
          return view(row ?? existing);
        } catch (error) {
          if (isUniqueViolation(error)) throw duplicate();
          throw error;
        }
      }
      default:
        throw new AppError("not_found", `companies.${method}: no such method`);
    }
  });
}
