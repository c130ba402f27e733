import { type Database, knowledgeChunks, knowledgeSettings, withTenant } from "@autopilot/db";
import { checkForbiddenPattern } from "@autopilot/engine";
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { AppError } from "../domain/errors.js";

// Per-tenant knowledge settings: the text-search language (a Postgres configuration; chunks are
// re-indexed in the same transaction when it changes) and the forbidden claims answers never make.

export const knowledgeSettingsSchema = z
  .object({
    language: z.string(),
    forbiddenPhrases: z.array(z.string()),
    forbiddenPatterns: z.array(z.string()),
    updatedAt: z.string().nullable(),
  })
  .openapi("KnowledgeSettings");

export const knowledgeSettingsUpdate = z
  .object({
    /** A Postgres text-search configuration ('english', 'french', 'german', 'simple'…). */
    language: z
      .string()
      .regex(/^[a-z_]{2,40}$/, "must be a text-search configuration name such as english or simple")
      .optional(),
    forbiddenPhrases: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    // Patterns stay short: they run against every answer sentence.
    forbiddenPatterns: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .openapi("KnowledgeSettingsUpdate");

type Settings = z.infer<typeof knowledgeSettingsSchema>;

export async function getKnowledgeSettings(db: Database, tenantId: string): Promise<Settings> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx.select().from(knowledgeSettings).where(eq(knowledgeSettings.tenantId, tenantId));
    return {
      language: row?.language ?? "english",
      forbiddenPhrases: row?.forbiddenPhrases ?? [],
      forbiddenPatterns: row?.forbiddenPatterns ?? [],
      updatedAt: row?.updatedAt?.toISOString() ?? null,
    };
  });
}

export async function updateKnowledgeSettings(
  db: Database,
  tenantId: string,
  input: z.infer<typeof knowledgeSettingsUpdate>,
): Promise<Settings> {
  for (const [i, p] of (input.forbiddenPatterns ?? []).entries()) {
    const problem = checkForbiddenPattern(p);
    if (problem) throw new AppError("invalid_request", `forbiddenPatterns.${i}: ${problem}`);
  }
  return withTenant(db, tenantId, async (tx) => {
    if (input.language !== undefined) {
      const known = await tx.execute<{ ok: boolean }>(
        sql`select exists (select 1 from pg_ts_config where cfgname = ${input.language}) as ok`,
      );
      if (!known.rows[0]?.ok)
        throw new AppError("invalid_request", `language: no text-search configuration '${input.language}'`);
    }
    const [before] = await tx
      .select({ language: knowledgeSettings.language })
      .from(knowledgeSettings)
      .where(eq(knowledgeSettings.tenantId, tenantId));
    const set = {
      ...(input.language !== undefined ? { language: input.language } : {}),
      ...(input.forbiddenPhrases !== undefined ? { forbiddenPhrases: input.forbiddenPhrases } : {}),
      ...(input.forbiddenPatterns !== undefined ? { forbiddenPatterns: input.forbiddenPatterns } : {}),
      updatedAt: new Date(),
    };
    const [row] = await tx
      .insert(knowledgeSettings)
      .values({ tenantId, ...set })
      .onConflictDoUpdate({ target: knowledgeSettings.tenantId, set })
      .returning();
    if (!row) throw new Error("knowledge settings not saved");
    // Chunks carry their own language (it feeds the generated tsvector): re-index them with the new one.
    if (input.language !== undefined && input.language !== (before?.language ?? "english"))
      await tx
        .update(knowledgeChunks)
        .set({ language: input.language })
        .where(eq(knowledgeChunks.tenantId, tenantId));
    return {
      language: row.language,
      forbiddenPhrases: row.forbiddenPhrases,
      forbiddenPatterns: row.forbiddenPatterns,
      updatedAt: row.updatedAt.toISOString(),
    };
  });
}
