import { type Database, lookups, withTenant } from "@autopilot/db";
import type { Logger } from "../lib/log.js";
import type { CrawlMessage } from "./config.js";
import * as store from "./store.js";

// Scheduled refresh: the cron asks the one cross-tenant look-up (knowledge_sources_due, SECURITY
// DEFINER, ids only) which website sources are due, then starts each run inside its own tenant.
// A source already crawling is not due (the look-up skips it), so a slow crawl is never doubled.

export async function refreshDueSources(
  db: Database,
  enqueue: (message: CrawlMessage) => Promise<unknown>,
  log: Logger,
  maxSources = 50,
): Promise<number> {
  const due = await lookups.knowledgeSourcesDue(db, maxSources);
  let started = 0;
  for (const { tenant_id: tenantId, source_id: sourceId } of due) {
    try {
      const runId = await withTenant(db, tenantId, async (tx) => {
        const source = await store.getSource(tx, tenantId, sourceId);
        if (source?.kind !== "website" || source.status === "crawling") return null;
        return store.startRun(tx, source, (source.config as { startUrl: string }).startUrl);
      });
      if (runId === null) continue;
      await enqueue({ type: "crawl", tenantId, sourceId, runId });
      started++;
    } catch (error) {
      // One tenant's failure must not stop the others; the source stays due and is retried next run.
      log.warn("knowledge refresh failed to start", { tenantId, sourceId, error: String(error) });
    }
  }
  return started;
}
