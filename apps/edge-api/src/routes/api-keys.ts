import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as keys from "../domain/api-keys.js";
import type { AppEnv } from "../env.js";
import { apiKeyGate, authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse, role } from "./schemas.js";

export const apiKeyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["API keys"];
const auth = [authenticate, limitByPrincipal] as const;

const keySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    role,
    scopes: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

apiKeyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/api-keys",
    tags,
    summary: "List API keys (secrets are never shown again)",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(z.object({ apiKeys: z.array(keySchema) }), "Keys"), ...errors },
  }),
  async (c) => c.json({ apiKeys: await keys.listApiKeys(c.get("db"), c.get("principal").tenantId) }, 200),
);

apiKeyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/api-keys",
    tags,
    summary: "Create an API key; the secret is in this response only",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(
      z.object({
        name: z.string().trim().min(1).max(100),
        role: role.default("agent"),
        scopes: z
          .array(z.enum(["read", "write"]))
          .min(1)
          .default(["read", "write"]),
      }),
    ),
    responses: {
      201: jsonResponse(keySchema.extend({ secret: z.string() }).openapi("NewApiKey"), "Created"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const key = await keys.createApiKey(c.get("db"), p, c.req.valid("json"));
    return c.json(key, 201);
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/api-keys/{id}",
    tags,
    summary: "Revoke an API key (it stops working at once)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 200: jsonResponse(keySchema, "Revoked"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const key = await keys.revokeApiKey(c.get("db"), p, c.req.valid("param").id);
    // After the commit: the gate caches keys, so tell it now rather than when its cache expires.
    await apiKeyGate(c.env, key.prefix).markRevoked();
    return c.json(key, 200);
  },
);
