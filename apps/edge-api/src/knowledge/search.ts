import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";

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
};

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
    order by score desc, c.id`;
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
  const rows = await withTenant(db, tenantId, async (tx) => {
    const result = await tx.execute<{
      id: string;
      source_id: string;
      page_id: string | null;
      url: string | null;
      heading_path: string[];
      text: string;
      token_count: number;
      score: number;
    }>(lexicalQuery(tenantId, q, limit * 3));
    return result.rows;
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
