import { z } from "@hono/zod-openapi";

// Source configuration: validated by the API on the way in and again by the crawler on the way out
// (a row written by an older version must not crash a job).

const pathPattern = z
  .string()
  .min(1)
  .max(200)
  .regex(/^\//, "must start with / (a path pattern, * matches anything)");

export const websiteConfigSchema = z.object({
  /** A page to start from, or a sitemap (…/sitemap.xml); either way only its origin is crawled. */
  startUrl: z.url({ protocol: /^https?$/ }).max(2000),
  maxPages: z.number().int().min(1).max(5000).default(200),
  maxDepth: z.number().int().min(0).max(20).default(5),
  include: z.array(pathPattern).max(50).default([]),
  exclude: z.array(pathPattern).max(50).default([]),
});
export type WebsiteConfig = z.infer<typeof websiteConfigSchema>;

export const faqPairSchema = z.object({
  question: z.string().trim().min(1).max(500),
  answer: z.string().trim().min(1).max(5000),
});
export const faqConfigSchema = z.object({ pairs: z.array(faqPairSchema).min(1).max(500) });
export type FaqConfig = z.infer<typeof faqConfigSchema>;

/** Crawler limits; the environment may lower the delay and timeout (tests) but never lift the caps. */
export type CrawlLimits = {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Pause between two requests to the same host, unless robots.txt asks for more (capped at 10 s). */
  delayMs: number;
  pagesPerJob: number;
  /** Wall-clock budget of one queue job, so it ends well inside the consumer's limit. */
  jobBudgetMs: number;
  allowLocalHosts: boolean;
};

export function crawlLimits(env: {
  KNOWLEDGE_FETCH_TIMEOUT_MS?: string;
  KNOWLEDGE_CRAWL_DELAY_MS?: string;
  KNOWLEDGE_MAX_PAGE_BYTES?: string;
  LOCAL_DEVELOPMENT?: string;
}): CrawlLimits {
  const num = (v: string | undefined, fallback: number, max: number) => {
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
  };
  return {
    timeoutMs: num(env.KNOWLEDGE_FETCH_TIMEOUT_MS, 10_000, 30_000),
    maxBytes: num(env.KNOWLEDGE_MAX_PAGE_BYTES, 2_000_000, 5_000_000),
    maxRedirects: 5,
    delayMs: num(env.KNOWLEDGE_CRAWL_DELAY_MS, 1_000, 10_000),
    pagesPerJob: 20,
    jobBudgetMs: 60_000,
    allowLocalHosts: env.LOCAL_DEVELOPMENT === "1",
  };
}

/**
 * Queue message of the `knowledge-crawl` queue: "work on this source's run" — a website's crawl, or
 * an uploaded document's extraction (documents.ts / document-job.ts).
 */
export const crawlMessageSchema = z.object({
  type: z.enum(["crawl", "document"]),
  tenantId: z.uuid(),
  sourceId: z.uuid(),
  runId: z.number().int().min(1),
});
export type CrawlMessage = z.infer<typeof crawlMessageSchema>;

/**
 * "Embed this source's chunks that have no embedding": for sources indexed in their request (FAQ
 * pairs, catalogues), whose chunks get their vectors in the consumer like a job's (embed.ts).
 */
export const embedMessageSchema = z.object({
  type: z.literal("embed"),
  tenantId: z.uuid(),
  sourceId: z.uuid(),
});
export type EmbedMessage = z.infer<typeof embedMessageSchema>;

/** Everything the `knowledge-crawl` queue carries. */
export const knowledgeMessageSchema = z.union([crawlMessageSchema, embedMessageSchema]);
