import { type Database, withTenant } from "@autopilot/db";
import { isPrivateHost } from "../lib/address-policy.js";
import type { Logger } from "../lib/log.js";
import { chunkSections, contentHash } from "./chunk.js";
import { type CrawlLimits, type CrawlMessage, websiteConfigSchema } from "./config.js";
import { extractPage } from "./extract.js";
import { fetchPage } from "./fetch-page.js";
import { ALLOW_ALL, DISALLOW_ALL, parseRobots, type RobotsRules } from "./robots.js";
import { looksLikeSitemap, parseSitemap } from "./sitemap.js";
import * as store from "./store.js";
import { allowedByPolicy, normaliseUrl, type UrlPolicy } from "./url-policy.js";

// One crawl job: works through up to `pagesPerJob` queued pages of one source's current run, one
// request at a time with the per-host delay (so per-host concurrency is one: a source's jobs form a
// single chain), then either re-enqueues itself or ends the run. The frontier is in Postgres, so a job
// that dies is simply redelivered and resumes where the rows say.

export type Enqueue = (message: CrawlMessage) => Promise<unknown>;
export type JobResult = { processed: number; done: boolean; stale?: boolean };

export async function runCrawlJob(
  db: Database,
  message: CrawlMessage,
  limits: CrawlLimits,
  enqueue: Enqueue,
  log: Logger,
): Promise<JobResult> {
  const { tenantId, sourceId, runId } = message;
  const source = await withTenant(db, tenantId, (tx) => store.getSource(tx, tenantId, sourceId));
  // Deleted, or superseded by a newer "refresh now": this message has nothing left to do.
  if (!source || source.runId !== runId || source.status !== "crawling")
    return { processed: 0, done: true, stale: true };
  const parsed = websiteConfigSchema.safeParse(source.config);
  if (!parsed.success) {
    await withTenant(db, tenantId, (tx) => store.finishRun(tx, source, runId, "invalid_config"));
    return { processed: 0, done: true };
  }
  const config = parsed.data;
  const start = new URL(config.startUrl);
  const policy: UrlPolicy = { origin: start.origin, include: config.include, exclude: config.exclude };
  if (!limits.allowLocalHosts && isPrivateHost(start.hostname)) {
    await withTenant(db, tenantId, (tx) => store.finishRun(tx, source, runId, "private_host"));
    return { processed: 0, done: true };
  }

  const robots = await loadRobots(start, policy, limits);
  const delayMs = Math.max(limits.delayMs, Math.min(10_000, (robots.crawlDelaySeconds ?? 0) * 1000));
  const started = Date.now();
  let processed = 0;
  while (processed < limits.pagesPerJob && Date.now() - started < limits.jobBudgetMs) {
    const page = await withTenant(db, tenantId, (tx) => store.nextQueuedPage(tx, source, runId));
    if (!page) break;
    if (processed > 0 && delayMs > 0) await sleep(delayMs);
    processed++;
    const outcome = await crawlPage(page, policy, robots, limits, config.maxDepth);
    await withTenant(db, tenantId, async (tx) => {
      await store.savePage(tx, page, outcome.page);
      if (outcome.links.length > 0)
        await store.enqueueUrls(tx, source, runId, outcome.links, outcome.linkDepth, config.maxPages);
    });
    log.info("knowledge page", {
      tenantId,
      sourceId,
      url: page.url,
      status: outcome.page.status,
      reason: outcome.page.reason,
    });
  }
  const more = await withTenant(db, tenantId, (tx) => store.nextQueuedPage(tx, source, runId));
  if (more) {
    await enqueue(message);
    return { processed, done: false };
  }
  await withTenant(db, tenantId, (tx) => store.finishRun(tx, source, runId));
  return { processed, done: true };
}

type PageWork = { page: store.PageOutcome; links: string[]; linkDepth: number };

async function crawlPage(
  page: store.PageRow,
  policy: UrlPolicy,
  robots: RobotsRules,
  limits: CrawlLimits,
  maxDepth: number,
): Promise<PageWork> {
  const none = (outcome: store.PageOutcome): PageWork => ({ page: outcome, links: [], linkDepth: 0 });
  const url = normaliseUrl(page.url);
  if (!url || !allowedByPolicy(url, policy))
    return none({ status: "skipped", reason: "off_policy", dropChunks: true });
  if (!robots.allows(url)) return none({ status: "skipped", reason: "robots", dropChunks: true });

  if (looksLikeSitemap(url)) {
    const res = await fetchPage(url, policy, limits, {
      accept: ["application/xml", "text/xml", "text/plain"],
    });
    if (res.kind === "not_modified") return none({ status: "fetched", reason: "not_modified" });
    if (res.kind !== "ok") return none(failure(res));
    const map = parseSitemap(res.body, 5000);
    // A sitemap is not content: its pages go in at its own depth (they are the site's own list).
    return {
      page: { status: "fetched", reason: "sitemap" },
      links: cleanLinks([...map.pages, ...map.sitemaps], url, policy),
      linkDepth: page.depth,
    };
  }

  const res = await fetchPage(url, policy, limits, {
    validators: { etag: page.etag, lastModified: page.lastModified },
  });
  if (res.kind === "not_modified") return none({ status: "fetched", reason: "not_modified" });
  if (res.kind !== "ok") return none(failure(res));
  const extracted = await extractPage(res.body);
  const links =
    extracted.nofollow || page.depth >= maxDepth ? [] : cleanLinks(extracted.links, res.url, policy);
  const next = { links, linkDepth: page.depth + 1 };
  if (extracted.noindex) return { page: { status: "skipped", reason: "noindex", dropChunks: true }, ...next };
  const sections = extracted.sections.map((s) => ({
    ...s,
    headingPath: s.headingPath.length > 0 ? s.headingPath : extracted.title ? [extracted.title] : [],
  }));
  const hash = await contentHash(sections.map((s) => `${s.headingPath.join(">")}\n${s.text}`).join("\n\n"));
  // Same text as last time (a server without validators): keep the chunks we have.
  if (hash === page.contentHash) return { page: { status: "fetched", reason: "unchanged" }, ...next };
  return {
    page: {
      status: "fetched",
      reason: null,
      title: extracted.title,
      etag: res.etag,
      lastModified: res.lastModified,
      contentHash: hash,
      chunks: chunkSections(sections),
    },
    ...next,
  };
}

/** 404 and 410 mean the page is gone (its chunks go); other failures keep what we had. */
function failure(res: { kind: "skipped" | "failed"; reason: string; status?: number }): store.PageOutcome {
  const gone = res.status === 404 || res.status === 410;
  return { status: res.kind, reason: res.reason, dropChunks: gone || res.kind === "skipped" };
}

function cleanLinks(raw: string[], base: URL, policy: UrlPolicy): string[] {
  const out = new Set<string>();
  for (const href of raw) {
    const url = normaliseUrl(href, base.href);
    if (url && allowedByPolicy(url, policy)) out.add(url.href);
  }
  return [...out];
}

async function loadRobots(start: URL, policy: UrlPolicy, limits: CrawlLimits): Promise<RobotsRules> {
  const robotsUrl = new URL("/robots.txt", start.origin);
  const res = await fetchPage(
    robotsUrl,
    { ...policy, include: [], exclude: [] },
    { ...limits, maxBytes: 500_000 },
    {
      accept: ["text/plain"],
    },
  );
  if (res.kind === "ok") return parseRobots(res.body);
  // RFC 9309: a server error means "assume complete disallow"; absent (4xx) means allow all.
  if (res.kind !== "not_modified" && res.status !== undefined && res.status >= 500) return DISALLOW_ALL;
  return ALLOW_ALL;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
