import { ACTIVITY_KINDS } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as acts from "../domain/deals/activities.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam } from "./crm-schemas.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// Activities on deals, leads and contacts: calls, meetings, tasks; list and complete.

export const activityRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const _tags = ["Pipelines and deals"];
const auth = [authenticate, limitByPrincipal] as const;

const activitySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(ACTIVITY_KINDS),
    subject: z.string(),
    body: z.string(),
    contactId: z.uuid().nullable(),
    companyId: z.uuid().nullable(),
    leadId: z.uuid().nullable(),
    dealId: z.uuid().nullable(),
    ownerId: z.uuid().nullable(),
    occurredAt: z.string(),
    dueAt: z.string().nullable(),
    remindAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Activity");
const instant = z.iso.datetime({ offset: true });

activityRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/activities",
    tags: ["Activities"],
    summary: "Log a call, email, meeting or note, or create a task with due date and reminder",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: jsonBody(
      z
        .object({
          kind: z.enum(ACTIVITY_KINDS),
          subject: z.string().max(300).optional(),
          body: z.string().max(20_000).optional(),
          contactId: z.uuid().optional(),
          companyId: z.uuid().optional(),
          leadId: z.uuid().optional(),
          dealId: z.uuid().optional(),
          ownerId: z.uuid().nullable().optional(),
          occurredAt: instant.optional(),
          dueAt: instant.nullable().optional(),
          remindAt: instant.nullable().optional(),
        })
        .openapi("NewActivity"),
    ),
    responses: { 201: jsonResponse(activitySchema, "Created"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const activity = await acts.createActivity(c.get("db"), p, c.req.valid("json"));
    return c.json(activity, 201);
  },
);

activityRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/activities",
    tags: ["Activities"],
    summary: "Activities of a contact, lead or deal, newest first (openTasks=true: tasks not done)",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        contactId: z.uuid().optional(),
        leadId: z.uuid().optional(),
        dealId: z.uuid().optional(),
        kind: z.enum(ACTIVITY_KINDS).optional(),
        openTasks: z
          .enum(["true", "false"])
          .transform((v) => v === "true")
          .optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ activities: z.array(activitySchema) }), "Activities"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      {
        activities: await acts.listActivities(c.get("db"), c.get("principal").tenantId, c.req.valid("query")),
      },
      200,
    ),
);

activityRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/activities/{id}",
    tags: ["Activities"],
    summary: "Complete (or reopen) a task",
    middleware: [...auth, requireRole("agent")] as const,
    request: { params: idParam, ...jsonBody(z.object({ completed: z.boolean() })) },
    responses: { 200: jsonResponse(activitySchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      await acts.completeActivity(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json").completed,
      ),
      200,
    ),
);
