import { type Database, knowledgeSources, lookups, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";
import { requeueEach } from "../lib/requeue.js";
import type { CrawlMessage, EmbedMessage } from "./config.js";

// Accepted work finishes: a crawl or a document extraction whose queue message was lost (a local
// restart drops the in-memory queue; a crash) leaves its source "crawling" with no progress. The cron
// finds those (knowledge_sources_stuck, ids only) and queues their run again; the job resumes from the
// pages still queued, and a job of an older run stops by itself, so a re-queue never doubles work.

/** No page fetched and no change for this long: the run's job chain is taken as lost. */
export const STUCK_AFTER_MINUTES = 15;

export async function requeueStuckSources(
  db: Database,
  enqueue: (message: CrawlMessage) => Promise<unknown>,
  log: Logger,
  quietMinutes = STUCK_AFTER_MINUTES,
  maxSources = 50,
): Promise<number> {
  const stuck = await lookups.stuckKnowledgeSources(db, quietMinutes, maxSources);
  return requeueEach(
    stuck,
    async (s) => {
      // Touch first: the next sweep waits another quiet period before trying again.
      await withTenant(db, s.tenant_id, (tx) =>
        tx
          .update(knowledgeSources)
          .set({ updatedAt: sql`now()` })
          .where(and(eq(knowledgeSources.id, s.source_id), eq(knowledgeSources.runId, s.run_id))),
      );
      await enqueue({
        type: s.kind === "document" ? "document" : "crawl",
        tenantId: s.tenant_id,
        sourceId: s.source_id,
        runId: s.run_id,
      });
    },
    log,
    "knowledge job with no progress",
  );
}

/** Chunks this old without an embedding (in a tenant with an embedding model) are taken as missed. */
export const EMBEDDING_GAP_MINUTES = 30;

/**
 * Queues the embedding step again for sources whose chunks have no embedding (its message was lost,
 * or the provider failed). The step only embeds chunks that have none, so a repeat costs nothing twice.
 */
export async function requeueEmbeddingGaps(
  db: Database,
  enqueue: (message: EmbedMessage) => Promise<unknown>,
  log: Logger,
  quietMinutes = EMBEDDING_GAP_MINUTES,
  maxSources = 50,
): Promise<number> {
  return requeueEach(
    await lookups.embeddingGaps(db, quietMinutes, maxSources),
    (gap) => enqueue({ type: "embed", tenantId: gap.tenant_id, sourceId: gap.source_id }),
    log,
    "embedding step",
  );
}
