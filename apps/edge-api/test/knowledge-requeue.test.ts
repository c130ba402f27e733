import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CrawlMessage, EmbedMessage } from "../src/knowledge/config.js";
import { requeueEmbeddingGaps, requeueStuckSources } from "../src/knowledge/requeue.js";
import { createLogger } from "../src/lib/log.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

// Accepted work finishes (issue 15, item 16): a crawl whose queue message was lost leaves its source
// "crawling" with no progress; the cron's sweep queues that run again, once per quiet period.

async function crawledSource(auth: Record<string, string>) {
  const created = await call("/v1/knowledge/sources", {
    headers: auth,
    body: { kind: "website", startUrl: `${env.KNOWLEDGE_SITE_URL}/`, maxPages: 3 },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  for (let i = 0; i < 120; i++) {
    const res = await call(`/v1/knowledge/sources/${created.json.id}`, { headers: auth });
    if (res.json.status !== "crawling") return created.json.id as string;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("crawl did not finish");
}

describe("stuck knowledge jobs", () => {
  it("a source crawling with no progress is re-queued with its run, once per quiet period; a busy one is left alone", async () => {
    const s = await signup("Stuck crawl");
    const stuck = await crawledSource(s.auth);
    const busy = await crawledSource(s.auth);
    const db = ownerDb();
    try {
      // The lost message: the source still says crawling, and nothing happened for an hour.
      await db.query(
        "update knowledge_sources set status = 'crawling', updated_at = now() - interval '1 hour' where id = $1",
        [stuck],
      );
      await db.query(
        "update knowledge_pages set fetched_at = now() - interval '1 hour' where source_id = $1",
        [stuck],
      );
      // Crawling too, but a page was fetched a minute ago: its job is alive.
      await db.query(
        "update knowledge_sources set status = 'crawling', updated_at = now() - interval '1 hour' where id = $1",
        [busy],
      );
      await db.query(
        "update knowledge_pages set fetched_at = now() - interval '1 minute' where source_id = $1",
        [busy],
      );
      const [row] = await db.query<{ run_id: number }>("select run_id from knowledge_sources where id = $1", [
        stuck,
      ]);
      const sent: CrawlMessage[] = [];
      const enqueue = async (m: CrawlMessage) => sent.push(m);
      const log = createLogger({ test: "requeue" });
      expect(await requeueStuckSources(db, enqueue, log)).toBeGreaterThanOrEqual(1);
      const mine = sent.filter((m) => m.tenantId === s.tenantId);
      expect(mine).toEqual([{ type: "crawl", tenantId: s.tenantId, sourceId: stuck, runId: row?.run_id }]);
      // Touched: the next sweep waits another quiet period.
      sent.length = 0;
      await requeueStuckSources(db, enqueue, log);
      expect(sent.filter((m) => m.tenantId === s.tenantId)).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it("chunks left without an embedding are queued for their embedding step again, in tenants with an embedding model only", async () => {
    const faq = {
      kind: "faq",
      name: "FAQ",
      pairs: [{ question: "Do you ship?", answer: "Yes, worldwide." }],
    };
    const withModel = await signup("Embedding gaps");
    const h = bearer((await createKey(withModel, "admin")).secret);
    const settings = await call("/v1/ai/settings", {
      method: "PUT",
      headers: h,
      body: {
        provider: "openai",
        baseUrl: env.FAKE_OPENAI_URL,
        model: "fake-ok",
        apiKey: "sk-test",
        embeddingModel: "fake-embed",
      },
    });
    expect(settings.status).toBe(200);
    const gap = await call("/v1/knowledge/sources", { headers: h, body: faq });
    expect(gap.status, JSON.stringify(gap.json)).toBe(201);
    const without = await signup("No embeddings");
    const plain = await call("/v1/knowledge/sources", { headers: without.auth, body: faq });
    expect(plain.status).toBe(201);
    const db = ownerDb();
    try {
      // The embedding step's message was lost an hour ago: the chunks have none.
      for (const id of [gap.json.id, plain.json.id])
        await db.query(
          "update knowledge_chunks set embedding = null, created_at = now() - interval '1 hour' where source_id = $1",
          [id],
        );
      const sent: EmbedMessage[] = [];
      await requeueEmbeddingGaps(db, async (m) => sent.push(m), createLogger({ test: "gaps" }), 30, 500);
      expect(sent.filter((m) => m.tenantId === withModel.tenantId)).toEqual([
        { type: "embed", tenantId: withModel.tenantId, sourceId: gap.json.id },
      ]);
      expect(sent.filter((m) => m.tenantId === without.tenantId)).toEqual([]);
      // Recent chunks are left to the job that is (probably) still running.
      await db.query("update knowledge_chunks set created_at = now() where source_id = $1", [gap.json.id]);
      sent.length = 0;
      await requeueEmbeddingGaps(db, async (m) => sent.push(m), createLogger({ test: "gaps" }), 30, 500);
      expect(sent.filter((m) => m.tenantId === withModel.tenantId)).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
