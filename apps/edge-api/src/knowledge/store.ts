import { knowledgeChunks, knowledgePages, knowledgeSources, type Tx } from "@autopilot/db";
import { and, asc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { Chunk } from "./chunk.js";
import { contentHash } from "./chunk.js";

// Database side of the knowledge base. Every function takes a `tx` from withTenant, so row-level
// security scopes it; the explicit tenant filters are for the indexes, not for safety.

export type SourceRow = typeof knowledgeSources.$inferSelect;
export type PageRow = typeof knowledgePages.$inferSelect;

/** The tenant's text-search configuration, as SQL (chunks and queries must use the same one). */
export const tenantLanguage = (tenantId: string) =>
  sql`coalesce((select language from knowledge_settings where tenant_id = ${tenantId}), 'english'::regconfig)`;

export async function getSource(tx: Tx, tenantId: string, sourceId: string): Promise<SourceRow | undefined> {
  const [row] = await tx
    .select()
    .from(knowledgeSources)
    .where(and(eq(knowledgeSources.tenantId, tenantId), eq(knowledgeSources.id, sourceId)));
  return row;
}

/**
 * Starts a new run: bumps run_id (a job of an older run then stops by itself), re-queues every page
 * the source already has (refresh re-checks each with a conditional GET; pages that now 404 are
 * dropped) and queues the start URL.
 */
export async function startRun(tx: Tx, source: SourceRow, startUrl: string): Promise<number> {
  const [row] = await tx
    .update(knowledgeSources)
    .set({
      runId: sql`${knowledgeSources.runId} + 1`,
      status: "crawling",
      lastRunStartedAt: sql`now()`,
      lastError: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(knowledgeSources.tenantId, source.tenantId), eq(knowledgeSources.id, source.id)))
    .returning({ runId: knowledgeSources.runId });
  const runId = row?.runId ?? source.runId + 1;
  await tx
    .update(knowledgePages)
    .set({ status: "queued", runId, reason: null })
    .where(and(eq(knowledgePages.tenantId, source.tenantId), eq(knowledgePages.sourceId, source.id)));
  await tx
    .insert(knowledgePages)
    .values({ tenantId: source.tenantId, sourceId: source.id, url: startUrl, depth: 0, runId })
    .onConflictDoUpdate({
      target: [knowledgePages.tenantId, knowledgePages.sourceId, knowledgePages.url],
      set: { depth: 0, status: "queued", runId },
    });
  return runId;
}

export async function nextQueuedPage(tx: Tx, source: SourceRow, runId: number): Promise<PageRow | undefined> {
  const [row] = await tx
    .select()
    .from(knowledgePages)
    .where(
      and(
        eq(knowledgePages.tenantId, source.tenantId),
        eq(knowledgePages.sourceId, source.id),
        eq(knowledgePages.status, "queued"),
        eq(knowledgePages.runId, runId),
      ),
    )
    // Breadth first, so a page cap keeps the pages nearest the start.
    .orderBy(asc(knowledgePages.depth), asc(knowledgePages.createdAt))
    .limit(1);
  return row;
}

/** Queues newly discovered URLs up to the page cap; known URLs are left as they are (loop guard). */
export async function enqueueUrls(
  tx: Tx,
  source: SourceRow,
  runId: number,
  urls: string[],
  depth: number,
  maxPages: number,
): Promise<number> {
  if (urls.length === 0) return 0;
  const [count] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(knowledgePages)
    .where(and(eq(knowledgePages.tenantId, source.tenantId), eq(knowledgePages.sourceId, source.id)));
  const room = maxPages - (count?.n ?? 0);
  if (room <= 0) return 0;
  const rows = [...new Set(urls)].slice(0, room).map((url) => ({
    tenantId: source.tenantId,
    sourceId: source.id,
    url,
    depth,
    runId,
  }));
  const inserted = await tx
    .insert(knowledgePages)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: knowledgePages.id });
  return inserted.length;
}

export type PageOutcome =
  | { status: "skipped" | "failed"; reason: string; dropChunks: boolean }
  | { status: "fetched"; reason: string | null }
  | {
      status: "fetched";
      reason: null;
      title: string;
      etag: string | null;
      lastModified: string | null;
      contentHash: string;
      chunks: Chunk[];
    };

/** Records what happened to a page; with new content, replaces its chunks (deduped per tenant). */
export async function savePage(tx: Tx, page: PageRow, outcome: PageOutcome): Promise<void> {
  const where = and(eq(knowledgePages.tenantId, page.tenantId), eq(knowledgePages.id, page.id));
  const byPage = and(eq(knowledgeChunks.tenantId, page.tenantId), eq(knowledgeChunks.pageId, page.id));
  if (outcome.status !== "fetched") {
    await tx.update(knowledgePages).set({ status: outcome.status, reason: outcome.reason }).where(where);
    if (outcome.dropChunks) await tx.delete(knowledgeChunks).where(byPage);
    return;
  }
  if (!("chunks" in outcome)) {
    await tx
      .update(knowledgePages)
      .set({ status: "fetched", reason: outcome.reason, fetchedAt: sql`now()` })
      .where(where);
    return;
  }
  await tx
    .update(knowledgePages)
    .set({
      status: "fetched",
      reason: null,
      title: outcome.title,
      etag: outcome.etag,
      lastModified: outcome.lastModified,
      contentHash: outcome.contentHash,
      fetchedAt: sql`now()`,
    })
    .where(where);
  await tx.delete(knowledgeChunks).where(byPage);
  if (outcome.chunks.length === 0) return;
  const rows = await Promise.all(
    outcome.chunks.map(async (c, position) => ({
      tenantId: page.tenantId,
      sourceId: page.sourceId,
      pageId: page.id,
      url: page.url,
      headingPath: c.headingPath,
      headingText: c.headingText,
      text: c.text,
      tokenCount: c.tokenCount,
      position,
      contentHash: await contentHash(c.text),
      language: tenantLanguage(page.tenantId),
    })),
  );
  await insertChunkRows(tx, rows);
}

// The language is the tenant's setting, read in the same statement (SQL, not a JS value).
type ChunkInsert = Omit<typeof knowledgeChunks.$inferInsert, "language"> & { language: SQL };
/** Rows per INSERT: 12 parameters a row stays far below Postgres's 65,535 bind parameters. */
const INSERT_BATCH = 500;

/** The one chunk insert (pages, FAQ pairs, documents, catalogues): batched, duplicates skipped. */
async function insertChunkRows(tx: Tx, rows: ChunkInsert[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const done = await tx
      .insert(knowledgeChunks)
      .values(rows.slice(i, i + INSERT_BATCH))
      .onConflictDoNothing()
      .returning({ id: knowledgeChunks.id });
    inserted += done.length;
  }
  return inserted;
}

/**
 * Chunks for a source without pages (FAQ pairs, documents, catalogues): replaced as a whole. `url`
 * is where a reader finds the source (an uploaded document's public address), if it has one.
 */
export async function replaceSourceChunks(
  tx: Tx,
  source: SourceRow,
  chunks: Chunk[],
  url: string | null = null,
): Promise<number> {
  await tx
    .delete(knowledgeChunks)
    .where(and(eq(knowledgeChunks.tenantId, source.tenantId), eq(knowledgeChunks.sourceId, source.id)));
  if (chunks.length === 0) return 0;
  const rows = await Promise.all(
    chunks.map(async (c, position) => ({
      tenantId: source.tenantId,
      sourceId: source.id,
      url,
      headingPath: c.headingPath,
      headingText: c.headingText,
      text: c.text,
      tokenCount: c.tokenCount,
      position,
      contentHash: await contentHash(`${c.headingText}\n${c.text}`),
      language: tenantLanguage(source.tenantId),
    })),
  );
  return insertChunkRows(tx, rows);
}

/** A run that read no page while some failed or were skipped did not work: the source says so. */
export const NOTHING_FETCHED = "nothing_fetched";

/**
 * Ends a run: pages this run never reached are gone from the site; counters and next refresh set.
 * The source is failed when the run stopped (error) or fetched no page at all though it tried some.
 */
export async function finishRun(
  tx: Tx,
  source: SourceRow,
  runId: number,
  stopped: string | null = null,
): Promise<void> {
  const outcomes = await tx
    .select({ status: knowledgePages.status, n: sql<number>`count(*)::int` })
    .from(knowledgePages)
    .where(
      and(
        eq(knowledgePages.tenantId, source.tenantId),
        eq(knowledgePages.sourceId, source.id),
        eq(knowledgePages.runId, runId),
      ),
    )
    .groupBy(knowledgePages.status);
  const n = (status: string) => outcomes.find((o) => o.status === status)?.n ?? 0;
  const error = stopped ?? (n("fetched") === 0 && n("failed") + n("skipped") > 0 ? NOTHING_FETCHED : null);
  await tx
    .delete(knowledgePages)
    .where(
      and(
        eq(knowledgePages.tenantId, source.tenantId),
        eq(knowledgePages.sourceId, source.id),
        lt(knowledgePages.runId, runId),
      ),
    );
  await tx
    .update(knowledgeSources)
    .set({
      status: error ? "failed" : "idle",
      lastError: error,
      lastRunFinishedAt: sql`now()`,
      updatedAt: sql`now()`,
      nextRefreshAt: sql`case when ${knowledgeSources.refreshIntervalHours} is null then null else now() + make_interval(hours => ${knowledgeSources.refreshIntervalHours}) end`,
      pageCount: sql`(select count(*)::int from knowledge_pages p where p.tenant_id = ${source.tenantId} and p.source_id = ${source.id} and p.status = 'fetched')`,
      chunkCount: sql`(select count(*)::int from knowledge_chunks c where c.tenant_id = ${source.tenantId} and c.source_id = ${source.id})`,
    })
    .where(
      and(
        eq(knowledgeSources.tenantId, source.tenantId),
        eq(knowledgeSources.id, source.id),
        eq(knowledgeSources.runId, runId),
      ),
    );
}

export type Progress = {
  runId: number;
  queued: number;
  fetched: number;
  skipped: number;
  failed: number;
  /** Up to 100 pages that were skipped or failed, with why. */
  problems: { url: string; status: "skipped" | "failed"; reason: string | null }[];
};

export async function progressOf(tx: Tx, source: SourceRow): Promise<Progress> {
  const byStatus = and(eq(knowledgePages.tenantId, source.tenantId), eq(knowledgePages.sourceId, source.id));
  const counts = await tx
    .select({ status: knowledgePages.status, n: sql<number>`count(*)::int` })
    .from(knowledgePages)
    .where(byStatus)
    .groupBy(knowledgePages.status);
  const problems = await tx
    .select({ url: knowledgePages.url, status: knowledgePages.status, reason: knowledgePages.reason })
    .from(knowledgePages)
    .where(and(byStatus, sql`${knowledgePages.status} in ('skipped', 'failed')`))
    .orderBy(asc(knowledgePages.url))
    .limit(100);
  const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
  return {
    runId: source.runId,
    queued: n("queued"),
    fetched: n("fetched"),
    skipped: n("skipped"),
    failed: n("failed"),
    problems: problems as Progress["problems"],
  };
}
