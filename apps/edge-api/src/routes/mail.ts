import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { notFound } from "../domain/errors.js";
import { roleAtLeast } from "../domain/principal.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { listOutboxMail } from "../mail/outbox.js";
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
    return c.json({ mail: await listOutboxMail(c.get("db"), c.get("principal").tenantId, limit) }, 200);
  },
);

// The local mailbox, so a new user can click their verification link with no mail server: the signed-in
// workspace's mail (admins see all of it, others what was sent to them). It exists only with the
// dev-outbox mailer in local development (the worker refuses that mailer anywhere else).
mailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/dev/mailbox",
    tags,
    summary: "Local development only: this workspace's mail in the local outbox",
    middleware: [authenticate, limitByPrincipal] as const,
    request: { query: limitQuery.extend({ to: z.string().max(254).optional() }) },
    responses: {
      200: jsonResponse(z.object({ mail: z.array(mailSchema) }), "Mail, newest first"),
      ...errors,
    },
  }),
  async (c) => {
    if (c.env.MAILER !== "dev-outbox" || c.env.LOCAL_DEVELOPMENT !== "1") throw notFound("route");
    const { limit, to } = c.req.valid("query");
    const p = c.get("principal");
    const mine = roleAtLeast(p.role, "admin") ? undefined : (p.user?.email ?? "");
    const wanted = [to, mine].filter((x): x is string => x !== undefined);
    return c.json({ mail: await listOutboxMail(c.get("db"), p.tenantId, limit, wanted) }, 200);
  },
);
