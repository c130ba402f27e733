import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { authenticate } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { isOperator } from "../marketplace/operators.js";
import { errors, jsonResponse, role } from "./schemas.js";

export const meRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const meSchema = z
  .object({
    kind: z.enum(["api_key", "session"]),
    id: z.uuid(),
    role,
    scopes: z.array(z.string()),
    tenant: z.object({ id: z.uuid(), name: z.string(), timeZone: z.string(), locale: z.string() }),
    user: z
      .object({ id: z.uuid(), email: z.string(), name: z.string(), emailVerified: z.boolean() })
      .nullable(),
    /** Platform staff (the marketplace's reviewers; PLATFORM_OPERATORS), outside every workspace. */
    platformOperator: z.boolean(),
  })
  .openapi("Me");

// Everything here comes from the authentication look-up itself: one database round trip in all.
meRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/me",
    tags: ["Auth"],
    summary: "Who is calling: the API key or user, its role and workspace",
    middleware: [authenticate, limitByPrincipal] as const,
    responses: { 200: jsonResponse(meSchema, "The caller"), ...errors },
  }),
  (c) => {
    const p = c.get("principal");
    return c.json(
      {
        kind: p.kind,
        id: p.id,
        role: p.role,
        scopes: p.scopes,
        tenant: { id: p.tenantId, name: p.tenantName, timeZone: p.timeZone, locale: p.locale },
        user: p.user ?? null,
        platformOperator: isOperator(c.env, p.user),
      },
      200,
    );
  },
);
