import { EVENT_TYPES } from "@autopilot/sdk";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import * as endpoints from "../webhooks/endpoints.js";
import { forgetEndpoints } from "../webhooks/fan-out.js";
import * as log from "../webhooks/log.js";
import { idParam } from "./crm-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

// Outbound webhooks (Standard Webhooks 1.0): a workspace's endpoints, their signing secrets and
// rotation, a test event, and the delivery log with redelivery. Admins only.

export const webhookRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Webhooks"];
const auth = [authenticate, limitByPrincipal] as const;

const deliveryParam = idParam.extend({
  deliveryId: z.uuid().openapi({ param: { name: "deliveryId", in: "path" } }),
});

const eventTypes = z
  .array(z.enum(EVENT_TYPES))
  .max(EVENT_TYPES.length)
  .openapi({ description: "The event types it takes; empty or left out: all", example: ["lead.created"] });
const url = z.string().trim().max(2000).openapi({ example: "https://example.com/webhooks/autopilot" });
const description = z.string().trim().max(200);

const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    status: z.enum(["active", "disabled"]),
    disabledReason: z.string().nullable(),
    previousSecretUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");
const withSecret = endpointSchema
  .extend({ secret: z.string().openapi({ description: "whsec_…: shown in this response only" }) })
  .openapi("WebhookEndpointWithSecret");

const deliveryStatus = z.enum(["pending", "sending", "succeeded", "retrying", "failed"]);
const deliverySchema = z
  .object({
    id: z.uuid(),
    messageId: z.string(),
    eventId: z.uuid(),
    eventType: z.string(),
    status: deliveryStatus,
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookDelivery");
const attemptSchema = z
  .object({
    attempt: z.number().int(),
    at: z.string(),
    request: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }),
    statusCode: z.number().int().nullable(),
    latencyMs: z.number().int(),
    responseExcerpt: z.string(),
    error: z.string().nullable(),
  })
  .openapi("WebhookAttempt");

const allowLocal = (c: { env: AppEnv["Bindings"] }) => c.env.LOCAL_DEVELOPMENT === "1";

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/webhooks/event-types",
    tags,
    summary: "The event types an endpoint can take",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(z.object({ eventTypes: z.array(z.string()) }), "Event types"), ...errors },
  }),
  (c) => c.json({ eventTypes: [...EVENT_TYPES] }, 200),
);

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/webhooks",
    tags,
    summary: "The workspace's webhook endpoints (secrets are never shown again)",
    middleware: [...auth, requireRole("admin")] as const,
    responses: {
      200: jsonResponse(z.object({ endpoints: z.array(endpointSchema) }), "Endpoints"),
      ...errors,
    },
  }),
  async (c) =>
    c.json({ endpoints: await endpoints.listEndpoints(c.get("db"), c.get("principal").tenantId) }, 200),
);

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/webhooks",
    tags,
    summary: "Add an endpoint; its signing secret is in this response only",
    description:
      "The URL must be https and a public host (no private or loopback address). Every request to it carries `webhook-id`, `webhook-timestamp` and `webhook-signature` (Standard Webhooks 1.0).",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z.object({ url, description: description.optional(), eventTypes: eventTypes.optional() }),
    ),
    responses: { 201: jsonResponse(withSecret, "Created"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const created = await endpoints.createEndpoint(c.get("db"), p, c.req.valid("json"), {
      masterKey: c.env.AI_MASTER_KEY,
      allowLocal: allowLocal(c),
    });
    forgetEndpoints(p.tenantId);
    return c.json(created, 201);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "One endpoint",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(endpointSchema, "Endpoint"), ...errors },
  }),
  async (c) =>
    c.json(
      await endpoints.getEndpoint(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    ),
);

webhookRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Change an endpoint's URL, description or event types; disable it, or enable it again",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z
          .object({
            url: url.optional(),
            description: description.optional(),
            eventTypes: eventTypes.optional(),
            enabled: z.boolean().optional(),
          })
          .refine((b) => Object.values(b).some((v) => v !== undefined), {
            message: "give a url, description, eventTypes or enabled",
            path: ["url"],
          }),
      ),
    },
    responses: { 200: jsonResponse(endpointSchema, "Updated"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const updated = await endpoints.updateEndpoint(
      c.get("db"),
      p,
      c.req.valid("param").id,
      c.req.valid("json"),
      allowLocal(c),
    );
    forgetEndpoints(p.tenantId);
    return c.json(updated, 200);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Remove an endpoint and its delivery log",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Removed"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    await endpoints.deleteEndpoint(c.get("db"), p, c.req.valid("param").id);
    forgetEndpoints(p.tenantId);
    return c.json({ ok: true as const }, 200);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/webhooks/{id}/rotate-secret",
    tags,
    summary: "A new signing secret (in this response only); the old one signs beside it for the overlap",
    description:
      "During the overlap every request carries two `v1,` signatures, one per secret, so receivers verify with either while they switch.",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          overlapHours: z.number().int().min(0).max(168).default(endpoints.DEFAULT_OVERLAP_HOURS),
        }),
      ),
    },
    responses: { 200: jsonResponse(withSecret, "Rotated"), ...errors },
  }),
  async (c) =>
    c.json(
      await endpoints.rotateSecret(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json").overlapHours,
        c.env.AI_MASTER_KEY,
      ),
      200,
    ),
);

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/webhooks/{id}/test",
    tags,
    summary: "Send a webhook.test event to this endpoint (it shows in the delivery log)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 202: jsonResponse(deliverySchema, "Queued"), ...errors },
  }),
  async (c) =>
    c.json(
      await log.sendTestEvent(
        c.get("db"),
        c.env.WEBHOOK_DELIVERIES,
        c.get("principal"),
        c.req.valid("param").id,
      ),
      202,
    ),
);

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/webhooks/{id}/deliveries",
    tags,
    summary: "What was sent to the endpoint, newest first",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      query: z.object({
        status: deliveryStatus.optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ deliveries: z.array(deliverySchema) }), "Deliveries"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      {
        deliveries: await log.listDeliveries(
          c.get("db"),
          c.get("principal").tenantId,
          c.req.valid("param").id,
          c.req.valid("query"),
        ),
      },
      200,
    ),
);

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/webhooks/{id}/deliveries/{deliveryId}",
    tags,
    summary: "One delivery: its payload and every try (request, status, latency, the answer's start)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: deliveryParam },
    responses: {
      200: jsonResponse(
        deliverySchema
          .extend({ payload: z.unknown(), tries: z.array(attemptSchema) })
          .openapi("WebhookDeliveryDetail"),
        "Delivery",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    return c.json(await log.deliveryDetail(c.get("db"), c.get("principal").tenantId, id, deliveryId), 200);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    tags,
    summary: "Send a delivery again (the same webhook-id), with a fresh schedule of tries",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: deliveryParam },
    responses: { 202: jsonResponse(deliverySchema, "Queued"), ...errors },
  }),
  async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    return c.json(
      await log.redeliver(c.get("db"), c.env.WEBHOOK_DELIVERIES, c.get("principal"), id, deliveryId),
      202,
    );
  },
);
