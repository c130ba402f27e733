import { Hono } from "hono";
import { notFound } from "../domain/errors.js";
import { requeueStuckImports } from "../domain/leads/import-job.js";
import type { AppEnv } from "../env.js";
import { requeueEmbeddingGaps, requeueStuckSources } from "../knowledge/requeue.js";

// Local development only (`npm start`), and not part of the public API (no OpenAPI entry): the local
// queues live in the runtime's memory, so `npm start` waits for them to empty before it stops, and
// queues again, when it starts, the jobs a previous run stopped in the middle of.

export const devRoutes = new Hono<AppEnv>();

devRoutes.use("/v1/dev/*", async (c, next) => {
  if (c.env.LOCAL_DEVELOPMENT !== "1") throw notFound("route");
  return next();
});

/** Messages waiting in each local queue (not counting a batch being consumed or a delayed retry). */
devRoutes.get("/v1/dev/queues", async (c) => {
  const queues = {
    events: c.env.EVENTS,
    "knowledge-crawl": c.env.KNOWLEDGE_CRAWL,
    "lead-imports": c.env.LEAD_IMPORTS,
    "plugin-deliveries": c.env.PLUGIN_DELIVERIES,
    "webhook-deliveries": c.env.WEBHOOK_DELIVERIES,
  };
  const backlog: Record<string, number> = {};
  for (const [name, queue] of Object.entries(queues)) backlog[name] = (await queue.metrics()).backlogCount;
  return c.json({ backlog });
});

/**
 * At start-up nothing is running yet, so every crawl, extraction or import still marked running was
 * cut off by the last stop: all of them are queued again at once (the cron would after its quiet period).
 */
devRoutes.post("/v1/dev/resume-jobs", async (c) => {
  const db = c.get("db");
  const log = c.get("log");
  const sources = await requeueStuckSources(db, (m) => c.env.KNOWLEDGE_CRAWL.send(m), log, 0, 500);
  const imports = await requeueStuckImports(db, (m) => c.env.LEAD_IMPORTS.send(m), log, 0);
  const embeddings = await requeueEmbeddingGaps(db, (m) => c.env.KNOWLEDGE_CRAWL.send(m), log, 0, 500);
  return c.json({ sources, imports, embeddings });
});
