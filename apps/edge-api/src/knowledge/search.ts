import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { type Embedder, normalise } from "../ai/embeddings.js";
import { createLogger } from "../lib/log.js";
import { realArray } from "./embed.js";

// Full-text retrieval over a tenant's chunks. Questions are natural language, so the query's lexemes
// are OR-ed (websearch/plainto would AND them and miss most questions) and ts_rank_cd orders by how
// densely they occur; headings carry weight A, so a question naming a section ranks it first.
// This is what the engine's `answer_from_knowledge` path is meant to call (with a token budget).
//
// Bounded cost: ranking reads each candidate's tsvector, so an OR of a word found in most chunks
// would rank the whole tenant (400 ms at 30,000 chunks). The candidates and their order come from
// knowledge_lexical_search (migration 0022: tiers of boolean queries the GIN index answers — every
// term, all but one, any two, any term — each tried only while too few rows were found; ordered by
// tier, then ts_rank_cd). It is a SECURITY DEFINER function because under row-level security the
// GIN index cannot serve `tsv @@ query` (the operator is not leakproof) and every search would scan
// the tenant's chunks; it searches only the calling transaction's tenant and returns ids and
// scores, and the rows are read here as app_user, under RLS. score = (3 − tier) + rank/(1 + rank),
// so it sorts as the list does.
//
// Hybrid, when the tenant has an embedding model (options.embedder): the question is embedded and
// the chunks ranked by cosine similarity too, and the two rankings are merged by reciprocal-rank
// fusion (k = 60; score = Σ 1/(k + rank)). pgvector is not available everywhere (not in PGlite, not
// on every server), so the similarity is computed in SQL over the real[] column, over a bounded
// candidate set: the lexical candidates plus the tenant's VECTOR_RECENT most recent embedded chunks.
// So a chunk with no word in common with the question is found by meaning only while the tenant has
// at most VECTOR_RECENT embedded chunks (or it is among the most recent); past that, a pgvector
// `embedding <=> $q` index would be the way (not written: it cannot be tested here). A question that
// cannot be embedded (provider down) is answered lexically, as without embeddings.

export type RetrievedChunk = {
  id: string;
  sourceId: string;
  pageId: string | null;
  url: string | null;
  headingPath: string[];
  text: string;
  tokenCount: number;
  score: number;
};

export type RetrieveOptions = {
  /** Stop adding chunks once their token counts would exceed this (a prompt's knowledge budget). */
  tokenBudget?: number;
  /** At most this many chunks, whatever the budget. */
  limit?: number;
  /** The tenant's embedder (ai/embeddings.ts tenantEmbedder): hybrid retrieval; null/absent: lexical. */
  embedder?: Embedder | null;
  /**
   * More wordings of the same question, ranked lexically too and fused with the first (the customer's
   * own words beside the answer step's widened query: each finds pages the other misses).
   */
  alsoLexical?: string[];
};

/**
 * Reciprocal-rank fusion of rankings (ids, best first): ids by Σ 1/(k + rank), rank from 1. Ties keep
 * the order the ids first appear in (the first ranking's before the next): the same input, the same
 * answer, whatever the ids.
 */
export function reciprocalRankFusion(rankings: string[][], k = 60): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings)
    ranking.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  // Array.prototype.sort is stable: equal scores stay in first-appearance order.
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/**
 * Embedded chunks compared with the question besides the lexical candidates: the bound on its work.
 * Cost is linear in it × dimensions: 500 × 1536-dimension dot products took ~70 ms on the PG 15
 * server (psql, temp table, load average 6): hybrid retrieval costs that on top of the lexical query,
 * for tenants with embeddings only.
 */
export const VECTOR_RECENT = 500;
/**
 * Below this cosine similarity a chunk is not a vector hit: every chunk has a nearest neighbour, and
 * an off-topic question must still find nothing (and be refused) rather than its least-bad chunk.
 */
export const MIN_SIMILARITY = 0.3;

type ChunkRow = {
  id: string;
  source_id: string;
  page_id: string | null;
  url: string | null;
  heading_path: string[];
  text: string;
  token_count: number;
  score: number;
};

/** Vector ranking over the bounded candidates, as one statement; the dimensions must match the question's. */
function vectorQuery(tenantId: string, question: number[], lexicalIds: string[], limit: number) {
  return sql`
    with cand as (
      (select id from knowledge_chunks
       where tenant_id = ${tenantId} and embedding is not null
       order by created_at desc, id limit ${VECTOR_RECENT})
      union
      select unnest(${`{${lexicalIds.join(",")}}`}::uuid[])
    ), scored as (
      select c.id, c.source_id, c.page_id, c.url, c.heading_path, c.text, c.token_count,
             (select sum(a * b) from unnest(c.embedding, ${realArray(question)}::real[]) t(a, b))::float8 as score
      from knowledge_chunks c join cand on cand.id = c.id
      where c.tenant_id = ${tenantId} and c.embedding is not null
        and array_length(c.embedding, 1) = ${question.length}
    )
    select * from scored where score >= ${MIN_SIMILARITY}
    order by score desc, id limit ${limit}`;
}

const MAX_QUERY_CHARS = 1000;
/** Rows ranked at most per query: the bound on its work. */
const CANDIDATES = 120;

/** The lexical ranking as one statement (one round trip inside the tenant transaction). */
export function lexicalQuery(tenantId: string, q: string, limit: number) {
  return sql`
    select c.id, c.source_id, c.page_id, c.url, c.heading_path, c.text, c.token_count,
           ((3 - k.tier) + k.rank / (1 + k.rank))::float8 as score
    from knowledge_lexical_search(${q}, ${limit}, ${CANDIDATES}) k
    join knowledge_chunks c on c.id = k.chunk_id
    where c.tenant_id = ${tenantId}
    -- Equal scores: the shorter chunk first (the same matches in fewer words), then a stable order
    -- (not random ids: the same corpus, the same ranking).
    order by score desc, c.token_count, c.created_at, c.position, c.id`;
}

export async function retrieveChunks(
  db: Database,
  tenantId: string,
  query: string,
  options: RetrieveOptions = {},
): Promise<RetrievedChunk[]> {
  const limit = Math.min(Math.max(options.limit ?? 10, 1), 50);
  const q = query.slice(0, MAX_QUERY_CHARS);
  if (!q.trim()) return [];
  let question: number[] | null = null;
  if (options.embedder) {
    try {
      question = normalise((await options.embedder.embed([q]))[0] ?? []);
    } catch (error) {
      createLogger({ component: "knowledge" }).warn("question not embedded; lexical retrieval only", {
        tenantId,
        model: options.embedder.model,
        error: String(error),
      });
    }
  }
  const also = [...new Set((options.alsoLexical ?? []).map((a) => a.slice(0, MAX_QUERY_CHARS)))].filter(
    (a) => a.trim() && a !== q,
  );
  const rows = await withTenant(db, tenantId, async (tx) => {
    let lexical = (await tx.execute<ChunkRow>(lexicalQuery(tenantId, q, limit * 3))).rows;
    if (also.length > 0) {
      const rankings = [lexical];
      for (const a of also.slice(0, 2))
        rankings.push((await tx.execute<ChunkRow>(lexicalQuery(tenantId, a, limit * 3))).rows);
      const byId = new Map(rankings.flat().map((r) => [r.id, r]));
      lexical = reciprocalRankFusion(rankings.map((rows) => rows.map((r) => r.id))).map(
        ({ id }) => byId.get(id) as ChunkRow,
      );
    }
    if (!question || question.length === 0) return lexical;
    const vector = (
      await tx.execute<ChunkRow>(
        vectorQuery(
          tenantId,
          question,
          lexical.map((r) => r.id),
          limit * 3,
        ),
      )
    ).rows;
    const byId = new Map([...vector, ...lexical].map((r) => [r.id, r]));
    return reciprocalRankFusion([lexical.map((r) => r.id), vector.map((r) => r.id)]).map(({ id, score }) => ({
      ...(byId.get(id) as ChunkRow),
      score,
    }));
  });
  const budget = options.tokenBudget ?? Number.POSITIVE_INFINITY;
  const picked: RetrievedChunk[] = [];
  let used = 0;
  // Greedy by rank: a chunk that does not fit is passed over for a smaller one further down.
  for (const r of rows) {
    if (picked.length >= limit) break;
    if (used + r.token_count > budget) continue;
    used += r.token_count;
    picked.push({
      id: r.id,
      sourceId: r.source_id,
      pageId: r.page_id,
      url: r.url,
      headingPath: r.heading_path,
      text: r.text,
      tokenCount: r.token_count,
      score: Number(r.score),
    });
  }
  return picked;
}
