import { lookups, mailOutbox, withTenant } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { desc } from "drizzle-orm";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { notFound } from "../http/errors.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonResponse } from "./schemas.js";

export const mailRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Mail"];

const mailSchema = z
  .object({
    id: z.uuid(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    kind: z.string(),
    createdAt: z.string(),
  })
  .openapi("Mail");
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

mailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/mail",
    tags,
    summary: "Mail this workspace sent through the local outbox",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    request: { query: limitQuery },
    responses: {
      200: jsonResponse(z.object({ mail: z.array(mailSchema) }), "Mail, newest first"),
      ...errors,
    },
  }),
  async (c) => {
    const { limit } = c.req.valid("query");
    const rows = await withTenant(c.get("db"), c.get("principal").tenantId, (tx) =>
      tx.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt)).limit(limit),
    );
    return c.json({ mail: rows.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) }, 200);
  },
);

// The local mailbox for every address, so a new user can click their verification or reset link with
// no mail server. It exists only with the dev-outbox Mailer (never in production).
mailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/dev/mailbox",
    tags,
    summary: "Local development only: every message in the dev outbox",
    request: { query: limitQuery.extend({ to: z.string().max(254).optional() }) },
    responses: {
      200: jsonResponse(z.object({ mail: z.array(mailSchema) }), "Mail, newest first"),
      ...errors,
    },
  }),
  async (c) => {
    if (c.env.MAILER !== "dev-outbox") throw notFound("route");
    const { limit, to } = c.req.valid("query");
    const rows = await lookups.devMailbox(c.get("db"), limit, to);
    const mail = rows.map((m) => ({
      id: m.id,
      to: m.to,
      subject: m.subject,
      text: m.text,
      kind: m.kind,
      createdAt: new Date(m.created_at).toISOString(),
    }));
    return c.json({ mail }, 200);
  },
);
