import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listDeadLetters, replayDeadLetters } from "../analytics/dead-letters.js";
import { decodeCursor } from "../analytics/pages.js";
import { listRejected } from "../analytics/rejected.js";
import { readAnalyticsSettings, saveAnalyticsSettings } from "../analytics/settings.js";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const analyticsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Analytics"];
const auth = [authenticate, limitByPrincipal] as const;

const liveFiguresSchema = z
  .object({
    type: z.literal("figures"),
    figures: z.object({
      day: z.string().openapi({ description: "Today in the tenant's time zone (YYYY-MM-DD)" }),
      timeZone: z.string(),
      activeConversations: z.number().int(),
      waitingForHuman: z.number().int(),
      leadsToday: z.number().int(),
      medianFirstResponseSeconds: z.number().nullable().openapi({ description: "Today's, agents' replies" }),
      lastEventAt: z.number().int().nullable().openapi({
        description:
          "When the figures last changed (ms since the epoch); a page that read after it is current",
      }),
    }),
  })
  .openapi("LiveFigures");

// Live figures over a WebSocket (the tenant's LiveStats object holds the socket; hibernation keeps
// idle dashboards free). Authenticated like any request: session cookie or API key.
analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/live",
    tags,
    summary: "Live figures over a WebSocket (active, waiting for a human, leads today, first response)",
    description:
      "Connect with `Upgrade: websocket`. The server sends a `LiveFigures` message at once and after every " +
      "ingested batch; send `ping` (answered `pong`) or any other text for a new snapshot (e.g. after the " +
      'local day turned). "Today" is the tenant\'s time zone; with an API key, a ' +
      "zone change is seen within 60 s (the key's gate caches its tenant for that long).",
    middleware: [...auth] as const,
    responses: {
      101: {
        description: "Switching protocols; messages are LiveFigures JSON",
        content: { "application/json": { schema: liveFiguresSchema } },
      },
      426: { description: "Not a WebSocket upgrade request" },
      ...errors,
    },
  }),
  // biome-ignore lint/suspicious/noExplicitAny: the WebSocket response comes from the Durable Object.
  async (c): Promise<any> => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError("upgrade_required", "connect with a WebSocket (Upgrade: websocket)");
    }
    const p = c.get("principal");
    const stub = c.env.LIVE_STATS.get(c.env.LIVE_STATS.idFromName(p.tenantId));
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-tenant-time-zone", p.timeZone);
    return stub.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
  },
);

const settingsSchema = z
  .object({
    retentionDays: z.number().int().openapi({ description: "Days raw events and rollups are kept" }),
    deadLetterRetentionDays: z
      .number()
      .int()
      .openapi({ description: "Days dead letters wait for a replay before the cron deletes them" }),
  })
  .openapi("AnalyticsSettings");

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/analytics/settings",
    tags,
    summary: "Analytics settings (event and dead-letter retention)",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    return c.json(await readAnalyticsSettings(c.get("db"), p.tenantId), 200);
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/analytics/settings",
    tags,
    summary: "Set how long raw events and rollups, and dead letters, are kept (days)",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z.object({
        retentionDays: z.number().int().min(30).max(3650).optional(),
        deadLetterRetentionDays: z.number().int().min(1).max(3650).optional(),
      }),
    ),
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    return c.json(await saveAnalyticsSettings(c.get("db"), p.tenantId, c.req.valid("json")), 200);
  },
);

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(100)
    .optional()
    .refine((v) => v === undefined || decodeCursor(v) !== null, "not a cursor from a previous page"),
});
const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), next: z.string().nullable() }).openapi(name);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/analytics/dead-letters",
    tags,
    summary: "Events that exhausted their retries, newest first (pending replay unless status=all)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { query: listQuery.extend({ status: z.enum(["pending", "all"]).default("pending") }) },
    responses: {
      200: jsonResponse(
        page(
          z.object({
            id: z.uuid(),
            eventId: z.uuid(),
            event: z.unknown().openapi({ description: "The event envelope as sent" }),
            attempts: z.number().int(),
            replayedAt: z.string().nullable(),
            createdAt: z.string(),
          }),
          "DeadLetterPage",
        ),
        "Dead letters",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const q = c.req.valid("query");
    const result = await listDeadLetters(c.get("db"), p.tenantId, {
      limit: q.limit,
      cursor: decodeCursor(q.cursor),
      all: q.status === "all",
    });
    return c.json(result, 200);
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/analytics/rejected",
    tags,
    summary: "Events set aside as poison (invalid, or failing alone) that name this tenant, newest first",
    middleware: [...auth, requireRole("admin")] as const,
    request: { query: listQuery },
    responses: {
      200: jsonResponse(
        page(
          z.object({
            id: z.uuid(),
            queue: z.string(),
            messageId: z.string(),
            body: z.unknown(),
            reason: z.string(),
            createdAt: z.string(),
          }),
          "RejectedEventPage",
        ),
        "Set-aside events",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const q = c.req.valid("query");
    return c.json(
      await listRejected(c.get("db"), p.tenantId, { limit: q.limit, cursor: decodeCursor(q.cursor) }),
      200,
    );
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/analytics/dead-letters/replay",
    tags,
    summary: "Re-enqueue events that exhausted their retries (safe to repeat: ingest dedupes by id)",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ limit: z.number().int().min(1).max(100).default(100) })),
    responses: {
      200: jsonResponse(z.object({ replayed: z.number().int(), remaining: z.number().int() }), "Replayed"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const result = await replayDeadLetters(c.get("db"), p.tenantId, c.env.EVENTS, c.req.valid("json").limit);
    return c.json(result, 200);
  },
);
