import { type Database, knowledgeSettings, withTenant } from "@autopilot/db";
import type { KnowledgeChunk, KnowledgePolicy } from "@autopilot/engine";
import { eq } from "drizzle-orm";
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
  const embedder = await tenantEmbedder(db, tenantId, keys);
  const [chunks, policy] = await Promise.all([
    retrieveChunks(db, tenantId, query, {
      tokenBudget: ANSWER_TOKEN_BUDGET,
      limit: ANSWER_CHUNKS,
      embedder,
      alsoLexical,
    }),
    loadKnowledgePolicy(db, tenantId),
  ]);
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

export async function loadKnowledgePolicy(db: Database, tenantId: string): Promise<KnowledgePolicy> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .select({ phrases: knowledgeSettings.forbiddenPhrases, patterns: knowledgeSettings.forbiddenPatterns })
      .from(knowledgeSettings)
      .where(eq(knowledgeSettings.tenantId, tenantId)),
  );
  return { forbiddenPhrases: row?.phrases ?? [], forbiddenPatterns: row?.patterns ?? [] };
}
