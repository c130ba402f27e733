import WIDGET_SCRIPT from "@autopilot/widget/script";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { callConversation, conversationStub } from "../conversations/client.js";
import { checkMessageLimits } from "../conversations/limits.js";
import {
  CLIENT_MESSAGE_ID,
  type ConversationView,
  MAX_MESSAGE_LENGTH,
  type TurnResult,
} from "../conversations/protocol.js";
import { AppError, notFound } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByIp, limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { widgetKeyCached } from "../widget/key-cache.js";
import { authenticateVisitor } from "../widget/visitor-auth.js";
import { signVisitorToken } from "../widget/visitor-token.js";
import { createWidgetKey, listWidgetKeys, type WidgetSettings } from "../widget/widget-keys.js";
import { conversationSchema, turnSchema } from "./conversation-schemas.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const widgetRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Widget"];

// Public chat is embedded on customers' sites: any origin may call it (the key's allow-list is checked
// where the session starts); no cookies are involved, so CORS grants nothing a token does not.
widgetRoutes.use(
  "/v1/widget/*",
  cors({ origin: "*", allowHeaders: ["authorization", "content-type"], maxAge: 600 }),
);

widgetRoutes.get("/widget.js", (c) =>
  c.body(WIDGET_SCRIPT, 200, {
    "content-type": "application/javascript; charset=utf-8",
    "cache-control": "public, max-age=300",
  }),
);

const widgetSettingsSchema = z.object({
  title: z.string().max(80).optional().openapi({ description: "The launcher's label" }),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .optional()
    .openapi({ description: "Brand colour, #rrggbb" }),
  greeting: z.string().max(300).optional().openapi({ description: "Shown when a visitor opens the chat" }),
});
const sessionSettingsSchema = widgetSettingsSchema
  .extend({ businessName: z.string(), locale: z.string() })
  .openapi("WidgetSessionSettings");

const conversationId = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

widgetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/widget/session",
    tags,
    summary: "Start a visitor session: a short-lived signed visitor token for a widget public key",
    middleware: [limitByIp("widget-session")] as const,
    request: jsonBody(
      z.object({
        publicKey: z.string().regex(/^wk_[A-Za-z0-9_-]{10,60}$/, "not a widget public key"),
        visitorId: z
          .string()
          .regex(/^v_[A-Za-z0-9_-]{8,64}$/)
          .optional(),
      }),
    ),
    responses: {
      201: jsonResponse(
        z.object({
          token: z.string(),
          visitorId: z.string(),
          expiresAt: z.string(),
          settings: sessionSettingsSchema,
        }),
        "Visitor session",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const key = await widgetKeyCached(c.get("db"), input.publicKey);
    if (!key?.enabled) throw new AppError("not_found", "publicKey: unknown widget key");
    const origin = c.req.header("origin");
    if (key.allowed_origins.length > 0 && (!origin || !key.allowed_origins.includes(origin)))
      throw new AppError("forbidden", "this site may not embed the widget");
    // A returning visitor keeps their id (and so their conversations); a new one gets a fresh id.
    const visitorId = input.visitorId ?? `v_${crypto.randomUUID().replace(/-/g, "")}`;
    const { token, expiresAt } = await signVisitorToken(c.env.VISITOR_TOKEN_SECRET, {
      tenantId: key.tenant_id,
      visitorId,
      keyId: key.key_id,
    });
    // What the widget draws: the key's look plus the business's name and language.
    const settings = {
      ...(key.settings as WidgetSettings),
      businessName: key.tenant_name,
      locale: key.tenant_locale,
    };
    return c.json({ token, visitorId, expiresAt: new Date(expiresAt * 1000).toISOString(), settings }, 201);
  },
);

widgetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/widget/conversations",
    tags,
    summary: "Start a conversation as the visitor",
    middleware: [authenticateVisitor] as const,
    request: jsonBody(z.object({ channel: z.literal("web").default("web") })),
    responses: { 201: jsonResponse(turnSchema, "Started"), ...errors },
  }),
  async (c) => {
    const v = c.get("visitor");
    const id = crypto.randomUUID();
    const stub = conversationStub(c.env, v.tenantId, id);
    await callConversation<ConversationView>(() =>
      stub.start({ tenantId: v.tenantId, conversationId: id, channel: "web", visitorId: v.visitorId }),
    );
    const history = await callConversation<TurnResult>(() =>
      stub.history({ tenantId: v.tenantId, conversationId: id, visitorId: v.visitorId }),
    );
    return c.json(history, 201);
  },
);

widgetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/widget/conversations/{id}/messages",
    tags,
    summary: "Send a visitor message (HTTP fallback of the WebSocket); returns the replies",
    middleware: [authenticateVisitor] as const,
    request: {
      params: conversationId,
      ...jsonBody(
        z.object({
          text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
          clientId: z
            .string()
            .regex(CLIENT_MESSAGE_ID)
            .optional()
            .openapi({ description: "The same id on every resend of one message: it is stored once" }),
        }),
      ),
    },
    responses: { 200: jsonResponse(turnSchema, "The visitor message and the replies"), ...errors },
  }),
  async (c) => {
    const v = c.get("visitor");
    const { id } = c.req.valid("param");
    const limit = await checkMessageLimits(c.env, v.tenantId, v.visitorId);
    if (!limit.allowed)
      throw new AppError(
        "rate_limited",
        `too many messages (${limit.scope} limit)`,
        undefined,
        limit.retryAfterSeconds,
      );
    const stub = conversationStub(c.env, v.tenantId, id);
    const result = await callConversation<TurnResult>(() =>
      stub.visitorMessage({
        tenantId: v.tenantId,
        conversationId: id,
        visitorId: v.visitorId,
        text: c.req.valid("json").text,
        clientId: c.req.valid("json").clientId,
      }),
    );
    return c.json(result, 200);
  },
);

widgetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/widget/conversations/{id}/messages",
    tags,
    summary: "The visitor's transcript (reconnect, polling fallback)",
    middleware: [authenticateVisitor] as const,
    request: {
      params: conversationId,
      query: z.object({ after: z.coerce.number().int().min(0).default(0) }),
    },
    responses: { 200: jsonResponse(turnSchema, "Transcript"), ...errors },
  }),
  async (c) => {
    const v = c.get("visitor");
    const { id } = c.req.valid("param");
    const result = await callConversation<TurnResult>(() =>
      conversationStub(c.env, v.tenantId, id).history({
        tenantId: v.tenantId,
        conversationId: id,
        visitorId: v.visitorId,
        afterSeq: c.req.valid("query").after,
      }),
    );
    return c.json(result, 200);
  },
);

widgetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/widget/conversations/{id}/csat",
    tags,
    summary: "Rate a closed conversation (1–5)",
    middleware: [authenticateVisitor] as const,
    request: {
      params: conversationId,
      ...jsonBody(
        z.object({ score: z.number().int().min(1).max(5), comment: z.string().max(1000).optional() }),
      ),
    },
    responses: { 200: jsonResponse(conversationSchema, "Rated"), ...errors },
  }),
  async (c) => {
    const v = c.get("visitor");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const conversation = await callConversation<ConversationView>(() =>
      conversationStub(c.env, v.tenantId, id).csat({
        tenantId: v.tenantId,
        conversationId: id,
        visitorId: v.visitorId,
        ...body,
      }),
    );
    return c.json(conversation, 200);
  },
);

widgetRoutes.get("/v1/widget/conversations/:id/ws", authenticateVisitor, async (c) => {
  const v = c.get("visitor");
  const id = conversationId.safeParse({ id: c.req.param("id") });
  if (!id.success) throw notFound("conversation");
  if (c.req.header("upgrade") !== "websocket")
    throw new AppError("upgrade_required", "expected a WebSocket upgrade");
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-tenant-id", v.tenantId);
  headers.set("x-conversation-id", id.data.id);
  headers.set("x-role", "visitor");
  headers.set("x-principal-id", v.visitorId);
  return conversationStub(c.env, v.tenantId, id.data.id).fetch(new Request(c.req.url, { headers }));
});

// Admin: the tenant's widget keys.
const keySchema = z
  .object({
    id: z.string(),
    publicKey: z.string(),
    settings: widgetSettingsSchema,
    allowedOrigins: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("WidgetKey");

widgetRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/widget-keys",
    tags,
    summary: "Create a widget public key (goes in the <script> tag)",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    request: jsonBody(
      z.object({
        settings: widgetSettingsSchema.default({}),
        allowedOrigins: z.array(z.url().max(200)).max(20).default([]),
      }),
    ),
    responses: { 201: jsonResponse(keySchema, "Created"), ...errors },
  }),
  async (c) =>
    c.json(await createWidgetKey(c.get("db"), c.get("principal").tenantId, c.req.valid("json")), 201),
);

widgetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/widget-keys",
    tags,
    summary: "List widget keys",
    middleware: [authenticate, limitByPrincipal, requireRole("admin")] as const,
    responses: { 200: jsonResponse(z.object({ widgetKeys: z.array(keySchema) }), "Keys"), ...errors },
  }),
  async (c) => c.json({ widgetKeys: await listWidgetKeys(c.get("db"), c.get("principal").tenantId) }, 200),
);
