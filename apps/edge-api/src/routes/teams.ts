import { AGENT_PRESENCES, LEAD_SOURCES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { assignLeadManually } from "../domain/assignment/assign-lead.js";
import { assignThroughCoordinator } from "../domain/assignment/coordinate.js";
import * as teams from "../domain/assignment/teams.js";
import { AppError } from "../domain/errors.js";
import { listNotifications, markNotificationRead } from "../domain/notifications.js";
import { setPresence } from "../domain/presence.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam } from "./crm-schemas.js";
import { leadSchema } from "./lead-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

export const teamRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Teams and assignment"];
const auth = [authenticate, limitByPrincipal] as const;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");
const memberBody = z
  .object({
    skills: z.array(z.string().min(1).max(100)).max(50),
    languages: z.array(z.string().min(2).max(20)).max(20),
    territories: z.array(z.string().min(1).max(100)).max(50),
    capacity: z.number().int().min(0).max(100_000).nullable(),
    weight: z.number().int().min(0).max(1000),
    timeZone: z.string().min(1).max(64),
    workingHours: z.array(z.object({ day: z.number().int().min(0).max(6), start: hhmm, end: hhmm })).max(50),
    outOfOffice: z.array(z.object({ from: day, to: day })).max(100),
    presence: z.enum(AGENT_PRESENCES),
  })
  .partial()
  .openapi("TeamMemberSettings");
const memberSchema = memberBody
  .required()
  .extend({ userId: z.uuid(), lastAssignedAt: z.string().nullable() })
  .openapi("TeamMember");
const teamSchema = z
  .object({ id: z.uuid(), name: z.string(), createdAt: z.string(), members: z.array(memberSchema) })
  .openapi("Team");
const memberParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
  userId: z.uuid().openapi({ param: { name: "userId", in: "path" } }),
});

teamRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/teams",
    tags,
    summary: "Create a team",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(z.object({ name: z.string().trim().min(1).max(100) })),
    responses: { 201: jsonResponse(teamSchema, "Created"), ...errors },
  }),
  async (c) => c.json(await teams.createTeam(c.get("db"), c.get("principal"), c.req.valid("json").name), 201),
);

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/teams",
    tags,
    summary: "List teams with their members",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(z.object({ teams: z.array(teamSchema) }), "Teams"), ...errors },
  }),
  async (c) => c.json({ teams: await teams.listTeams(c.get("db"), c.get("principal").tenantId) }, 200),
);

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/teams/{id}",
    tags,
    summary: "Get a team",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(teamSchema, "Team"), ...errors },
  }),
  async (c) =>
    c.json(await teams.getTeam(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

teamRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/teams/{id}",
    tags,
    summary: "Delete a team (its rules go with it)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await teams.deleteTeam(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/teams/{id}/members/{userId}",
    tags,
    summary:
      "Add a member to a team or change their skills, languages, territories, capacity, weight, hours, OOO, presence",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: memberParams, ...jsonBody(memberBody) },
    responses: { 200: jsonResponse(memberSchema, "Member"), ...errors },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    return c.json(
      await teams.putTeamMember(c.get("db"), c.get("principal"), id, userId, c.req.valid("json")),
      200,
    );
  },
);

teamRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/teams/{id}/members/{userId}",
    tags,
    summary: "Remove a member from a team",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: memberParams },
    responses: { 200: jsonResponse(okSchema, "Removed"), ...errors },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    await teams.removeTeamMember(c.get("db"), c.get("principal"), id, userId);
    return c.json({ ok: true as const }, 200);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/presence",
    tags,
    summary:
      "Set presence (online/away/offline): your own, or (admins) another member's. Same store as PUT /v1/inbox/presence; assignment skips members who are not online",
    middleware: [...auth, requireRole("agent")] as const,
    request: jsonBody(z.object({ presence: z.enum(AGENT_PRESENCES), userId: z.uuid().optional() })),
    responses: { 200: jsonResponse(okSchema, "Set"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const body = c.req.valid("json");
    const userId = body.userId ?? p.user?.id;
    if (!userId) throw new AppError("invalid_request", "userId: required when calling with an API key");
    if (userId !== p.user?.id && p.role !== "admin" && p.role !== "owner") {
      throw new AppError("forbidden", "only admins set another member's presence");
    }
    await setPresence(c.get("db"), p.tenantId, userId, body.presence);
    return c.json({ ok: true as const }, 200);
  },
);

const conditions = z
  .object({
    minScore: z.number().int().min(0).max(100),
    maxScore: z.number().int().min(0).max(100),
    territories: z.array(z.string().min(1).max(100)).max(100),
    languages: z.array(z.string().min(1).max(20)).max(50),
    products: z.array(z.string().min(1).max(100)).max(100),
    sources: z.array(z.enum(LEAD_SOURCES)),
  })
  .partial();
const ruleBody = z.object({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().optional(),
  conditions: conditions.optional(),
  strategy: z.enum(["round_robin", "weighted", "least_loaded", "specific"]),
  teamId: z.uuid().nullable().optional(),
  ownerId: z.uuid().nullable().optional(),
});
const ruleSchema = ruleBody
  .required()
  .extend({ id: z.uuid(), position: z.number() })
  .openapi("AssignmentRule");

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/assignment-rules",
    tags,
    summary: "The ordered assignment rules",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(z.object({ rules: z.array(ruleSchema) }), "Rules"), ...errors },
  }),
  async (c) => c.json({ rules: await teams.listRules(c.get("db"), c.get("principal").tenantId) }, 200),
);

teamRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/assignment-rules",
    tags,
    summary:
      "Replace the ordered assignment rules (conditions → round-robin / weighted / least-loaded / specific owner)",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ rules: z.array(ruleBody).max(100) })),
    responses: { 200: jsonResponse(z.object({ rules: z.array(ruleSchema) }), "Rules"), ...errors },
  }),
  async (c) =>
    c.json(
      { rules: await teams.replaceRules(c.get("db"), c.get("principal"), c.req.valid("json").rules) },
      200,
    ),
);

teamRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads/{id}/assign",
    tags,
    summary:
      "Assign a lead: by the rules (no body / no ownerId), or by hand to ownerId (null = back to the queue)",
    middleware: [...auth, requireRole("agent")] as const,
    request: {
      params: idParam,
      body: {
        required: false,
        content: { "application/json": { schema: z.object({ ownerId: z.uuid().nullable().optional() }) } },
      },
    },
    responses: {
      200: jsonResponse(z.object({ lead: leadSchema, reason: z.string() }), "Assigned"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const id = c.req.valid("param").id;
    const body = (c.req.header("content-type") ?? "").includes("json") ? c.req.valid("json") : {};
    const result =
      body.ownerId !== undefined
        ? await assignLeadManually(c.get("db"), p, id, body.ownerId).then((r) => ({
            lead: r.lead,
            reason: r.decision.reason,
          }))
        : await assignThroughCoordinator(c.env, c.get("db"), p.tenantId, id);
    return c.json(result, 200);
  },
);

const notificationSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Notification");

teamRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/notifications",
    tags: ["Notifications"],
    summary: "Your in-app notifications, newest first",
    middleware: [...auth] as const,
    request: {
      query: z.object({ unread: z.enum(["true", "false"]).optional(), userId: z.uuid().optional() }),
    },
    responses: {
      200: jsonResponse(z.object({ notifications: z.array(notificationSchema) }), "Notifications"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const q = c.req.valid("query");
    // API keys have no user: they may read a named member's (integrations, tests).
    const userId = p.user?.id ?? q.userId;
    if (!userId) throw new AppError("invalid_request", "query.userId: required when calling with an API key");
    const list = await listNotifications(c.get("db"), p.tenantId, userId, q.unread === "true");
    return c.json({ notifications: list }, 200);
  },
);

teamRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/notifications/{id}/read",
    tags: ["Notifications"],
    summary: "Mark a notification read",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Read"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    await markNotificationRead(c.get("db"), p.tenantId, c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);
