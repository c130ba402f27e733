import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { tenantEmbedder } from "../ai/embeddings.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { crawlLimits, faqConfigSchema, websiteConfigSchema } from "../knowledge/config.js";
import { queueEmbedding } from "../knowledge/embed.js";
import { retrieveChunks } from "../knowledge/search.js";
import {
  getKnowledgeSettings,
  knowledgeSettingsSchema,
  knowledgeSettingsUpdate,
  updateKnowledgeSettings,
} from "../knowledge/settings.js";
import * as sources from "../knowledge/sources.js";
import { listUnanswered } from "../knowledge/unanswered.js";
import { idParam, pageOf } from "./crm-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

// Knowledge base (issue 5): sources (website crawled in the background, FAQ pairs), their crawl
// progress, "refresh now", and the admin search over the indexed chunks.

export const knowledgeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Knowledge"];
const auth = [authenticate, limitByPrincipal] as const;

const refreshIntervalHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 90)
  .nullable()
  .optional();
const createSourceBody = z
  .discriminatedUnion("kind", [
    websiteConfigSchema.extend({
      kind: z.literal("website"),
      name: z.string().trim().min(1).max(200).optional(),
      refreshIntervalHours,
    }),
    faqConfigSchema.extend({ kind: z.literal("faq"), name: z.string().trim().min(1).max(200) }),
  ])
  .openapi("KnowledgeSourceCreate");

const progressSchema = z.object({
  runId: z.number(),
  queued: z.number(),
  fetched: z.number(),
  skipped: z.number(),
  failed: z.number(),
  problems: z.array(
    z.object({ url: z.string(), status: z.enum(["skipped", "failed"]), reason: z.string().nullable() }),
  ),
});
const sourceSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    name: z.string(),
    config: z.unknown(),
    status: z.string(),
    refreshIntervalHours: z.number().nullable(),
    nextRefreshAt: z.string().nullable(),
    lastRunStartedAt: z.string().nullable(),
    lastRunFinishedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    pageCount: z.number(),
    chunkCount: z.number(),
    createdAt: z.string(),
    progress: progressSchema.optional(),
  })
  .openapi("KnowledgeSource");
const chunkSchema = z
  .object({
    id: z.uuid(),
    sourceId: z.uuid(),
    pageId: z.uuid().nullable(),
    url: z.string().nullable(),
    headingPath: z.array(z.string()),
    text: z.string(),
    tokenCount: z.number(),
    score: z.number(),
  })
  .openapi("KnowledgeChunk");

knowledgeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/knowledge/sources",
    tags,
    summary: "Add a knowledge source: a website (crawled in the background) or FAQ pairs",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(createSourceBody),
    responses: { 201: jsonResponse(sourceSchema, "Created"), ...errors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = c.get("db");
    const principal = c.get("principal");
    if (body.kind === "faq") {
      const created = await sources.createFaqSource(db, principal, {
        name: body.name,
        config: { pairs: body.pairs },
      });
      await queueEmbedding(c.env.KNOWLEDGE_CRAWL, principal.tenantId, created.id, c.get("log"));
      return c.json(created, 201);
    }
    const { kind: _kind, name, refreshIntervalHours: hours, ...config } = body;
    const created = await sources.createWebsiteSource(
      db,
      principal,
      { name, refreshIntervalHours: hours, config },
      {
        allowLocalHosts: crawlLimits(c.env).allowLocalHosts,
        enqueue: (m) => c.env.KNOWLEDGE_CRAWL.send(m),
      },
    );
    return c.json(created, 201);
  },
);

knowledgeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/knowledge/sources",
    tags,
    summary: "List knowledge sources",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(z.object({ sources: z.array(sourceSchema) }), "Sources"), ...errors },
  }),
  async (c) => c.json({ sources: await sources.listSources(c.get("db"), c.get("principal").tenantId) }, 200),
);

knowledgeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/knowledge/sources/{id}",
    tags,
    summary: "Get a knowledge source with its crawl progress (queued, fetched, skipped, failed with reasons)",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(sourceSchema, "Source"), ...errors },
  }),
  async (c) =>
    c.json(
      await sources.getSourceWithProgress(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    ),
);

knowledgeRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/knowledge/sources/{id}",
    tags,
    summary: "Delete a knowledge source with its pages and chunks",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await sources.deleteSource(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

knowledgeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/knowledge/sources/{id}/refresh",
    tags,
    summary: "Refresh a website source now (conditional GETs; unchanged pages are kept, gone ones dropped)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 202: jsonResponse(sourceSchema, "Refresh started"), ...errors },
  }),
  async (c) =>
    c.json(
      await sources.refreshSource(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id, (m) =>
        c.env.KNOWLEDGE_CRAWL.send(m),
      ),
      202,
    ),
);

knowledgeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/knowledge/search",
    tags,
    summary: "Search the knowledge base: chunks with scores (ts_rank_cd), source URLs and heading paths",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        q: z.string().trim().min(1).max(1000),
        limit: z.coerce.number().int().min(1).max(50).optional(),
        tokenBudget: z.coerce.number().int().min(1).max(100_000).optional(),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ chunks: z.array(chunkSchema) }), "Chunks, best first"),
      ...errors,
    },
  }),
  async (c) => {
    const { q, limit, tokenBudget } = c.req.valid("query");
    const tenantId = c.get("principal").tenantId;
    const embedder = await tenantEmbedder(c.get("db"), tenantId, c.env);
    const chunks = await retrieveChunks(c.get("db"), tenantId, q, { limit, tokenBudget, embedder });
    return c.json({ chunks }, 200);
  },
);

knowledgeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/knowledge/settings",
    tags,
    summary: "Knowledge settings: text-search language and the forbidden claims answers never make",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(knowledgeSettingsSchema, "Settings"), ...errors },
  }),
  async (c) => c.json(await getKnowledgeSettings(c.get("db"), c.get("principal").tenantId), 200),
);

knowledgeRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/knowledge/settings",
    tags,
    summary:
      "Update knowledge settings. Changing the language re-indexes every chunk; forbidden phrases (whole words, any case) and patterns (regular expressions) remove matching sentences from answers",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(knowledgeSettingsUpdate),
    responses: { 200: jsonResponse(knowledgeSettingsSchema, "Settings"), ...errors },
  }),
  async (c) =>
    c.json(await updateKnowledgeSettings(c.get("db"), c.get("principal").tenantId, c.req.valid("json")), 200),
);

const unansweredSchema = z
  .object({
    question: z.string().openapi({ description: "The latest wording of the question" }),
    count: z.number().int(),
    firstAskedAt: z.string(),
    lastAskedAt: z.string(),
    lastConversationId: z.uuid().nullable(),
  })
  .openapi("UnansweredQuestion");

knowledgeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/knowledge/unanswered",
    tags,
    summary:
      "Questions the assistant could not answer from the knowledge base, grouped (case, spacing and final punctuation ignored), with counts",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        sort: z.enum(["recent", "count"]).default("recent"),
        limit: z.coerce.number().int().min(1).max(100).default(50),
        cursor: z.string().max(2000).optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        pageOf("questions", unansweredSchema),
        "Unanswered questions; pass nextCursor (with the same sort) for the next page",
      ),
      ...errors,
    },
  }),
  async (c) =>
    c.json(await listUnanswered(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);
