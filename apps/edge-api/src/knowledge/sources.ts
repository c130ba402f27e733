import { type Database, knowledgeSources, withTenant } from "@autopilot/db";
import { and, desc, eq } from "drizzle-orm";
import { AppError, notFound } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { isPrivateHost } from "../lib/address-policy.js";
import type { Chunk } from "./chunk.js";
import { estimateTokens } from "./chunk.js";
import type { CrawlMessage, FaqConfig, WebsiteConfig } from "./config.js";
import * as store from "./store.js";
import { normaliseUrl } from "./url-policy.js";

// Domain functions behind the sources API. Crawling is never done here: a website source only gets
// its run started and a message on the crawl queue.

export type SourceView = {
  id: string;
  kind: string;
  name: string;
  config: unknown;
  status: string;
  refreshIntervalHours: number | null;
  nextRefreshAt: string | null;
  lastRunStartedAt: string | null;
  lastRunFinishedAt: string | null;
  lastError: string | null;
  pageCount: number;
  chunkCount: number;
  createdAt: string;
  progress?: store.Progress;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export function view(row: store.SourceRow, progress?: store.Progress): SourceView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config: row.config,
    status: row.status,
    refreshIntervalHours: row.refreshIntervalHours,
    nextRefreshAt: iso(row.nextRefreshAt),
    lastRunStartedAt: iso(row.lastRunStartedAt),
    lastRunFinishedAt: iso(row.lastRunFinishedAt),
    lastError: row.lastError,
    pageCount: row.pageCount,
    chunkCount: row.chunkCount,
    createdAt: row.createdAt.toISOString(),
    progress,
  };
}

export type Enqueue = (message: CrawlMessage) => Promise<unknown>;

export async function createWebsiteSource(
  db: Database,
  principal: Principal,
  input: { name?: string; refreshIntervalHours?: number | null; config: WebsiteConfig },
  options: { allowLocalHosts: boolean; enqueue: Enqueue },
): Promise<SourceView> {
  const start = normaliseUrl(input.config.startUrl);
  if (!start) throw new AppError("invalid_request", "startUrl: must be an http(s) URL");
  if (!options.allowLocalHosts && isPrivateHost(start.hostname))
    throw new AppError("invalid_request", "startUrl: must be a public host");
  const config = { ...input.config, startUrl: start.href };
  const { source, runId } = await withTenant(db, principal.tenantId, async (tx) => {
    const [row] = await tx
      .insert(knowledgeSources)
      .values({
        tenantId: principal.tenantId,
        kind: "website",
        name: input.name ?? start.host,
        config,
        refreshIntervalHours: input.refreshIntervalHours ?? null,
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    const runId = await store.startRun(tx, row, start.href);
    const source = await store.getSource(tx, principal.tenantId, row.id);
    return { source: source ?? row, runId };
  });
  await options.enqueue({ type: "crawl", tenantId: principal.tenantId, sourceId: source.id, runId });
  return view(source, await progress(db, source));
}

export function faqChunks(config: FaqConfig): Chunk[] {
  return config.pairs.map((p) => ({
    headingPath: [p.question],
    headingText: p.question,
    text: p.answer,
    tokenCount: estimateTokens(p.question) + estimateTokens(p.answer),
  }));
}

export async function createFaqSource(
  db: Database,
  principal: Principal,
  input: { name: string; config: FaqConfig },
): Promise<SourceView> {
  return withTenant(db, principal.tenantId, async (tx) => {
    const [row] = await tx
      .insert(knowledgeSources)
      .values({ tenantId: principal.tenantId, kind: "faq", name: input.name, config: input.config })
      .returning();
    if (!row) throw new Error("insert returned no row");
    const count = await store.replaceSourceChunks(tx, row, faqChunks(input.config));
    const [updated] = await tx
      .update(knowledgeSources)
      .set({ chunkCount: count, lastRunFinishedAt: new Date() })
      .where(and(eq(knowledgeSources.tenantId, principal.tenantId), eq(knowledgeSources.id, row.id)))
      .returning();
    return view(updated ?? row);
  });
}

async function progress(db: Database, source: store.SourceRow): Promise<store.Progress> {
  return withTenant(db, source.tenantId, (tx) => store.progressOf(tx, source));
}

export async function listSources(db: Database, tenantId: string): Promise<SourceView[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(knowledgeSources)
      .where(eq(knowledgeSources.tenantId, tenantId))
      .orderBy(desc(knowledgeSources.createdAt))
      .limit(500),
  );
  return rows.map((r) => view(r));
}

export async function getSourceWithProgress(db: Database, tenantId: string, id: string): Promise<SourceView> {
  return withTenant(db, tenantId, async (tx) => {
    const row = await store.getSource(tx, tenantId, id);
    if (!row) throw notFound("knowledge source");
    return view(row, row.kind === "website" ? await store.progressOf(tx, row) : undefined);
  });
}

export async function deleteSource(db: Database, tenantId: string, id: string): Promise<void> {
  const deleted = await withTenant(db, tenantId, (tx) =>
    tx
      .delete(knowledgeSources)
      .where(and(eq(knowledgeSources.tenantId, tenantId), eq(knowledgeSources.id, id)))
      .returning({ id: knowledgeSources.id }),
  );
  if (deleted.length === 0) throw notFound("knowledge source");
}

/** "Refresh now": a new run (any job of the old one stops at its next step). */
export async function refreshSource(
  db: Database,
  tenantId: string,
  id: string,
  enqueue: Enqueue,
): Promise<SourceView> {
  const { source, runId } = await withTenant(db, tenantId, async (tx) => {
    const row = await store.getSource(tx, tenantId, id);
    if (!row) throw notFound("knowledge source");
    if (row.kind !== "website")
      throw new AppError("not_refreshable", `a ${row.kind} source has nothing to fetch; replace it instead`);
    const startUrl = (row.config as { startUrl: string }).startUrl;
    const runId = await store.startRun(tx, row, startUrl);
    return { source: (await store.getSource(tx, tenantId, id)) ?? row, runId };
  });
  await enqueue({ type: "crawl", tenantId, sourceId: id, runId });
  return getSourceWithProgress(db, tenantId, source.id);
}
