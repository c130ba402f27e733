import { analyticsSettings, DEFAULT_RETENTION_DAYS, withTenant } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { replayDeadLetters } from "../analytics/dead-letters.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { AppError } from "../http/errors.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const analyticsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Analytics"];
const auth = [authenticate, limitByPrincipal] as const;

// Live figures over a WebSocket (the tenant's LiveStats object holds the socket; hibernation keeps
// idle dashboards free). Authenticated like any request: session cookie or API key.
analyticsRoutes.get("/v1/live", ...auth, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "connect with a WebSocket (Upgrade: websocket)");
  }
  const p = c.get("principal");
  const stub = c.env.LIVE_STATS.get(c.env.LIVE_STATS.idFromName(p.tenantId));
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-tenant-time-zone", p.timeZone);
  return stub.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
});

const settingsSchema = z.object({ retentionDays: z.number().int() }).openapi("AnalyticsSettings");

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/analytics/settings",
    tags,
    summary: "Analytics settings (event retention)",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const row = await withTenant(
      c.get("db"),
      p.tenantId,
      async (tx) =>
        (await tx.select().from(analyticsSettings).where(eq(analyticsSettings.tenantId, p.tenantId)))[0],
    );
    return c.json({ retentionDays: row?.retentionDays ?? DEFAULT_RETENTION_DAYS }, 200);
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/analytics/settings",
    tags,
    summary: "Set how long raw events and rollups are kept (days)",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ retentionDays: z.number().int().min(30).max(3650) })),
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const { retentionDays } = c.req.valid("json");
    await withTenant(c.get("db"), p.tenantId, (tx) =>
      tx
        .insert(analyticsSettings)
        .values({ tenantId: p.tenantId, retentionDays })
        .onConflictDoUpdate({
          target: analyticsSettings.tenantId,
          set: { retentionDays, updatedAt: new Date() },
        }),
    );
    return c.json({ retentionDays }, 200);
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
