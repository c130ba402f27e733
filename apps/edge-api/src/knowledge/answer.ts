import { type Database, withTenant } from "@autopilot/db";
import type { KnowledgeChunk, KnowledgePolicy } from "@autopilot/engine";
import { sql } from "drizzle-orm";
import { tenantEmbedder } from "../ai/embeddings.js";
import type { AiKeys } from "../ai/keys.js";
import { retrieveChunks } from "./search.js";

// What a conversation turn gets from the knowledge base: the top chunks that fit the answer's token
// budget, shaped for the engine, and the tenant's forbidden claims. The engine answers (grounded,
// extractive or drafted); this side only reads.

/** Knowledge text per answer: enough for a few sections, small next to any model's context. */
export const ANSWER_TOKEN_BUDGET = 1200;
const ANSWER_CHUNKS = 6;

export type TurnKnowledge = { chunks: KnowledgeChunk[]; policy: KnowledgePolicy };

export async function knowledgeForTurn(
  db: Database,
  tenantId: string,
  /** The engine's query first; the customer's own words (if different) are ranked beside it. */
  queries: string | string[],
  /** Opens the tenant's key when it has an embedding model (hybrid retrieval). */
  keys: AiKeys = {},
): Promise<TurnKnowledge> {
  const [query = "", ...alsoLexical] = typeof queries === "string" ? [queries] : queries;
  const [{ policy, hasChunks }, embedder] = await Promise.all([
    loadTurnSettings(db, tenantId),
    tenantEmbedder(db, tenantId, keys),
  ]);
  // A workspace with nothing indexed yet (most in their first days) has nothing to find: no question
  // sent to the embedding provider, no search (whose first call on each database connection costs
  // ~20 ms of planning).
  if (!hasChunks) return { chunks: [], policy };
  const chunks = await retrieveChunks(db, tenantId, query, {
    tokenBudget: ANSWER_TOKEN_BUDGET,
    limit: ANSWER_CHUNKS,
    embedder,
    alsoLexical,
  });
  return {
    chunks: chunks.map((c) => ({
      id: c.id,
      text: c.text,
      url: c.url ?? undefined,
      // The heading path starts with the page's h1 (or the FAQ question): the title a reader sees.
      title: c.headingPath[0],
      headings: c.headingPath,
    })),
    policy,
  };
}

/** The tenant's forbidden claims, and whether it has any chunk to search, in one read. */
async function loadTurnSettings(
  db: Database,
  tenantId: string,
): Promise<{ policy: KnowledgePolicy; hasChunks: boolean }> {
  const result = await withTenant(db, tenantId, (tx) =>
    tx.execute<{ phrases: string[] | null; patterns: string[] | null; has_chunks: boolean }>(sql`
      select s.forbidden_phrases as phrases, s.forbidden_patterns as patterns,
        exists (select 1 from knowledge_chunks c where c.tenant_id = ${tenantId}) as has_chunks
      from (select 1) as one
      left join knowledge_settings s on s.tenant_id = ${tenantId}`),
  );
  const row = result.rows[0];
  return {
    policy: { forbiddenPhrases: row?.phrases ?? [], forbiddenPatterns: row?.patterns ?? [] },
    hasChunks: row?.has_chunks === true,
  };
}
