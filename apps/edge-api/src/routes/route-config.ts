import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import {
  deleteRoute,
  getRoute,
  listRoutes,
  saveRoute,
  validateOrThrow,
} from "../route-config/routes-store.js";
import { tryRoute } from "../route-config/try-route.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const routeConfigRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Routes"];

// The route body is validated by the engine (validateRoute) so that errors name their step: a 422 with
// details.errors[{stepId, code, message}]. Here it is only required to be a JSON object.
const routeBody = z.record(z.string(), z.unknown()).openapi("RouteDefinition");
const routeView = z
  .object({
    id: z.string(),
    version: z.number(),
    route: z.record(z.string(), z.unknown()),
    updatedAt: z.string(),
  })
  .openapi("Route");
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const withVersion = { 422: { description: "Invalid route: details.errors lists each step's problem" } };

routeConfigRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/routes",
    tags,
    summary: "List routes and the current routes version",
    middleware: [authenticate, limitByPrincipal] as const,
    responses: {
      200: jsonResponse(z.object({ version: z.number(), routes: z.array(routeView) }), "Routes"),
      ...errors,
    },
  }),
  async (c) => c.json(await listRoutes(c.get("db"), c.get("principal").tenantId), 200),
);

routeConfigRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/routes",
    tags,
    summary: "Create a route (bumps the routes version and recompiles the router)",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    request: jsonBody(routeBody),
    responses: { 201: jsonResponse(routeView, "Created"), ...errors, ...withVersion },
  }),
  async (c) => {
    const route = validateOrThrow(c.req.valid("json"));
    return c.json(await saveRoute(c.get("db"), c.get("principal").tenantId, route, "create"), 201);
  },
);

routeConfigRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/routes/try",
    tags,
    summary: "Try the current routes on a message: chosen route, confidence and reply",
    middleware: [authenticate, limitByPrincipal] as const,
    request: jsonBody(z.object({ text: z.string().trim().min(1).max(4000) })),
    responses: {
      200: jsonResponse(
        z.object({
          version: z.number(),
          routeId: z.string().nullable(),
          routeName: z.string().nullable(),
          outcome: z.enum(["playbook", "knowledge", "unanswered", "handoff", "fallback"]).openapi({
            description: "What answered: a playbook, the knowledge base, a handoff to a person…",
          }),
          confidence: z.number(),
          candidates: z.array(z.object({ routeId: z.string(), confidence: z.number() })),
          replies: z.array(
            z.object({
              kind: z.string(),
              text: z.string(),
              quickReplies: z.array(z.string()),
              sources: z.array(z.object({ url: z.string().optional(), title: z.string().nullable() })),
            }),
          ),
          reply: z.string().nullable(),
        }),
        "What the assistant would do",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const text = c.req.valid("json").text;
    return c.json(await tryRoute(c.get("db"), p.tenantId, p.timeZone, text, c.env), 200);
  },
);

routeConfigRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/routes/{id}",
    tags,
    summary: "Get one route",
    middleware: [authenticate, limitByPrincipal] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(routeView, "Route"), ...errors },
  }),
  async (c) => c.json(await getRoute(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

routeConfigRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/routes/{id}",
    tags,
    summary: "Replace a route (bumps the routes version and recompiles the router)",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    request: { params: idParam, ...jsonBody(routeBody) },
    responses: { 200: jsonResponse(routeView, "Replaced"), ...errors, ...withVersion },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.id !== undefined && body.id !== id)
      throw new AppError("invalid_request", "id: must match the path");
    const route = validateOrThrow({ ...body, id });
    return c.json(await saveRoute(c.get("db"), c.get("principal").tenantId, route, "replace"), 200);
  },
);

routeConfigRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/routes/{id}",
    tags,
    summary: "Delete a route (bumps the routes version)",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(z.object({ version: z.number() }), "Deleted"), ...errors },
  }),
  async (c) =>
    c.json(await deleteRoute(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);
