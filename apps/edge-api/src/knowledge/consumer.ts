import { openDatabase } from "@autopilot/db";
import { tenantEmbedder } from "../ai/embeddings.js";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";
import { crawlLimits, knowledgeMessageSchema } from "./config.js";
import { runCrawlJob } from "./crawl.js";
import { runDocumentJob } from "./document-job.js";
import { embedSourceChunks } from "./embed.js";

export const KNOWLEDGE_CRAWL_QUEUE = "knowledge-crawl";

/**
 * Consumer of the `knowledge-crawl` queue. Messages are handled one after another (each is a bounded
 * job of one source: a crawl, a document's extraction, or only the embedding step); an invalid
 * message is acknowledged and logged (retrying cannot fix it), a job that throws is retried by the
 * queue and resumes from the rows.
 */
export async function consumeCrawl(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = createLogger({ queue: batch.queue });
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  const limits = crawlLimits(env);
  try {
    for (const message of batch.messages) {
      const parsed = knowledgeMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        log.warn("invalid crawl message dropped", { id: message.id, error: parsed.error.message });
        message.ack();
        continue;
      }
      try {
        const job = parsed.data;
        if (job.type !== "embed") {
          const result =
            job.type === "document"
              ? await runDocumentJob(db, job, log)
              : await runCrawlJob(db, job, limits, (m) => env.KNOWLEDGE_CRAWL.send(m), log);
          log.info("knowledge job", { ...job, ...result });
        }
        message.ack();
        // With an embedding model, the chunks just stored get their vectors; a failure is logged
        // and the chunks stay lexical-only (the job itself succeeded).
        try {
          const embedder = await tenantEmbedder(db, parsed.data.tenantId, env);
          if (embedder)
            await embedSourceChunks(db, parsed.data.tenantId, parsed.data.sourceId, embedder, log);
        } catch (error) {
          log.warn("embedding step failed", { ...parsed.data, error: String(error) });
        }
      } catch (error) {
        log.error("crawl job failed; retried", { ...parsed.data, error: String(error) });
        message.retry({ delaySeconds: 5 });
      }
    }
  } finally {
    await db.end();
  }
}
