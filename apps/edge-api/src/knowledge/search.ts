import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { tenantLanguage } from "./store.js";

// Full-text retrieval over a tenant's chunks. Questions are natural language, so the query's lexemes
// are OR-ed (websearch/plainto would AND them and miss most questions) and ts_rank_cd orders by how
// densely they occur; headings carry weight A, so a question naming a section ranks it first.
// This is what the engine's `answer_from_knowledge` path is meant to call (with a token budget).

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
    }>(sql`
      with q as (
        select nullif(replace(plainto_tsquery(${tenantLanguage(tenantId)}, ${q})::text, ' & ', ' | '), '')::tsquery as query
      )
      select c.id, c.source_id, c.page_id, c.url, c.heading_path, c.text, c.token_count,
             ts_rank_cd(c.tsv, q.query)::float8 as score
      from knowledge_chunks c, q
      where c.tenant_id = ${tenantId} and q.query is not null and c.tsv @@ q.query
      order by score desc, c.id
      limit ${limit * 3}`);
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
