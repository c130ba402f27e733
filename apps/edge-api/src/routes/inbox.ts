import { AGENT_PRESENCES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { callConversation, conversationStub } from "../conversations/client.js";
import { type ConversationView, MAX_MESSAGE_LENGTH, type TurnResult } from "../conversations/protocol.js";
import { AppError, notFound } from "../domain/errors.js";
import { listPresence, setPresence } from "../domain/presence.js";
import { allows } from "../domain/principal.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import {
  cannedText,
  createCanned,
  deleteCanned,
  listCanned,
  listConversations,
  markRead,
} from "../inbox/inbox-store.js";
import { conversationSchema, turnSchema } from "./conversation-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

export const inboxRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Inbox"];

const statusEnum = z.enum(["bot", "waiting", "human", "closed"]);
const listedSchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    status: statusEnum,
    visitorId: z.string(),
    assigneeId: z.string().nullable(),
    contactId: z.string().nullable(),
    routesVersion: z.number(),
    lastMessage: z.string(),
    lastMessageAt: z.string().nullable(),
    messageCount: z.number(),
    csatScore: z.number().nullable(),
    csatComment: z.string().nullable(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
    contactName: z.string().nullable(),
    contactEmail: z.string().nullable(),
    leadId: z.string().nullable(),
    leadOwnerId: z.string().nullable(),
    unread: z
      .number()
      .nullable()
      .openapi({ description: "Messages the caller has not read (null for API keys)" }),
  })
  .openapi("InboxConversation");
const presenceSchema = z
  .object({ userId: z.string(), status: z.enum(AGENT_PRESENCES), updatedAt: z.string().optional() })
  .openapi("Presence");
const cannedSchema = z
  .object({ id: z.string(), shortcut: z.string(), text: z.string() })
  .openapi("CannedReply");
const idParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

/** The acting agent: the signed-in user, or the API key itself for integrations. */
const agentOf = (c: Context<AppEnv>) => {
  const p = c.get("principal");
  return { tenantId: p.tenantId, agentId: p.user?.id ?? p.id };
};
const stubFor = (c: Context<AppEnv>, id: string) => conversationStub(c.env, c.get("principal").tenantId, id);

inboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/conversations",
    tags,
    summary: "List and search conversations",
    middleware: [authenticate, limitByPrincipal] as const,
    request: {
      query: z.object({
        status: z
          .string()
          .optional()
          .transform((s) => (s ? s.split(",") : undefined))
          .pipe(z.array(z.enum(["bot", "waiting", "human", "closed"])).optional()),
        assignee: z.union([z.literal("me"), z.literal("none"), z.uuid()]).optional(),
        channel: z.string().max(40).optional(),
        contactId: z.uuid().optional(),
        q: z.string().trim().min(1).max(200).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ conversations: z.array(listedSchema) }), "Conversations"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const list = await listConversations(c.get("db"), p.tenantId, p.user?.id ?? null, c.req.valid("query"));
    return c.json({ conversations: list }, 200);
  },
);

inboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/conversations/{id}",
    tags,
    summary: "A conversation and its transcript (with internal notes)",
    middleware: [authenticate, limitByPrincipal] as const,
    request: { params: idParam, query: z.object({ after: z.coerce.number().int().min(0).default(0) }) },
    responses: { 200: jsonResponse(turnSchema, "Transcript"), ...errors },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("principal").tenantId;
    const result = await callConversation<TurnResult>(() =>
      stubFor(c, id).history({ tenantId, conversationId: id, afterSeq: c.req.valid("query").after }),
    );
    // A member who opens it has read it (an API key reads for nobody).
    const userId = c.get("principal").user?.id;
    const seen = result.messages.at(-1)?.seq;
    if (userId && seen !== undefined) await markRead(c.get("db"), tenantId, userId, id, seen);
    return c.json(result, 200);
  },
);

const action = (path: string, summary: string, run: (c: Context<AppEnv>, id: string) => Promise<unknown>) =>
  inboxRoutes.openapi(
    createRoute({
      method: "post",
      path: `/v1/conversations/{id}/${path}`,
      tags,
      summary,
      middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
      request: { params: idParam },
      responses: { 200: jsonResponse(conversationSchema, "Conversation"), ...errors },
    }),
    async (c) => c.json(await callConversation<ConversationView>(() => run(c, c.req.valid("param").id)), 200),
  );

action("takeover", "Take the conversation over (the bot pauses)", (c, id) =>
  stubFor(c, id).takeOver({ ...agentOf(c), conversationId: id }),
);
action("handback", "Hand the conversation back to the bot", (c, id) =>
  stubFor(c, id).handBack({ ...agentOf(c), conversationId: id }),
);
action("close", "Close the conversation and ask the visitor for a CSAT rating", (c, id) =>
  stubFor(c, id).close({
    tenantId: c.get("principal").tenantId,
    conversationId: id,
    by: "agent",
    agentId: agentOf(c).agentId,
  }),
);

inboxRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/conversations/{id}/reply",
    tags,
    summary: "Reply to the visitor (takes the conversation over); text or a canned reply",
    middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.union([
          z.object({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) }),
          z.object({ cannedReplyId: z.uuid() }),
        ]),
      ),
    },
    responses: { 200: jsonResponse(turnSchema, "Sent"), ...errors },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const text =
      "text" in body
        ? body.text
        : await cannedText(c.get("db"), c.get("principal").tenantId, body.cannedReplyId);
    const result = await callConversation<TurnResult>(() =>
      stubFor(c, id).agentReply({ ...agentOf(c), conversationId: id, text }),
    );
    return c.json(result, 200);
  },
);

inboxRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/conversations/{id}/notes",
    tags,
    summary: "Add an internal note (never shown to the visitor)",
    middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) })),
    },
    responses: { 200: jsonResponse(turnSchema, "Noted"), ...errors },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const result = await callConversation<TurnResult>(() =>
      stubFor(c, id).note({ ...agentOf(c), conversationId: id, text: c.req.valid("json").text }),
    );
    return c.json(result, 200);
  },
);

inboxRoutes.get("/v1/conversations/:id/ws", authenticate, limitByPrincipal, async (c) => {
  const id = idParam.safeParse({ id: c.req.param("id") });
  if (!id.success) throw notFound("conversation");
  if (c.req.header("upgrade") !== "websocket")
    throw new AppError("upgrade_required", "expected a WebSocket upgrade");
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-tenant-id", c.get("principal").tenantId);
  headers.set("x-conversation-id", id.data.id);
  headers.set("x-role", "agent");
  headers.set("x-principal-id", agentOf(c).agentId);
  // Anyone who may read the conversation watches it live; only who may reply over HTTP replies here.
  headers.set("x-may-reply", allows(c.get("principal"), "agent", "write") ? "1" : "0");
  return stubFor(c, id.data.id).fetch(new Request(c.req.url, { headers }));
});

// Presence (domain/presence.ts): the one source; lead assignment skips members who are not online.
inboxRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/inbox/presence",
    tags,
    summary: "Set my presence (online / away / offline); assignment skips members who are not online",
    middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
    request: jsonBody(z.object({ status: z.enum(AGENT_PRESENCES) })),
    responses: { 200: jsonResponse(presenceSchema, "Presence"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    if (!p.user) throw new AppError("forbidden", "presence belongs to a signed-in user");
    return c.json(await setPresence(c.get("db"), p.tenantId, p.user.id, c.req.valid("json").status), 200);
  },
);

inboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/inbox/presence",
    tags,
    summary: "Presence of the team",
    middleware: [authenticate, limitByPrincipal] as const,
    responses: { 200: jsonResponse(z.object({ agents: z.array(presenceSchema) }), "Presence"), ...errors },
  }),
  async (c) => c.json({ agents: await listPresence(c.get("db"), c.get("principal").tenantId) }, 200),
);

inboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/canned-replies",
    tags,
    summary: "Canned replies",
    middleware: [authenticate, limitByPrincipal] as const,
    responses: {
      200: jsonResponse(z.object({ cannedReplies: z.array(cannedSchema) }), "Canned replies"),
      ...errors,
    },
  }),
  async (c) => c.json({ cannedReplies: await listCanned(c.get("db"), c.get("principal").tenantId) }, 200),
);

inboxRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/canned-replies",
    tags,
    summary: "Create a canned reply",
    middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
    request: jsonBody(
      z.object({
        shortcut: z.string().regex(/^[a-z0-9_-]{1,40}$/, "lowercase letters, digits, _ and -"),
        text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
      }),
    ),
    responses: { 201: jsonResponse(cannedSchema, "Created"), ...errors },
  }),
  async (c) => c.json(await createCanned(c.get("db"), c.get("principal").tenantId, c.req.valid("json")), 201),
);

inboxRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/canned-replies/{id}",
    tags,
    summary: "Delete a canned reply",
    middleware: [authenticate, limitByPrincipal, requireRole("agent")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) =>
    c.json(await deleteCanned(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);
