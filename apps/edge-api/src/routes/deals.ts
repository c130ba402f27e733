import { ACTIVITY_KINDS, FORECAST_CATEGORIES, STAGE_CATEGORIES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as acts from "../domain/deals/activities.js";
import * as deals from "../domain/deals/deals.js";
import { forecast } from "../domain/deals/forecast.js";
import * as pipelines from "../domain/deals/pipelines.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam, listQuery } from "./crm-schemas.js";
import { currency, date, dealSchema, money } from "./deal-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

export const dealRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Pipelines and deals"];
const auth = [authenticate, limitByPrincipal] as const;

const stageSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number(),
  probability: z.number(),
  category: z.enum(STAGE_CATEGORIES),
});
const pipelineSchema = z
  .object({ id: z.uuid(), name: z.string(), isDefault: z.boolean(), stages: z.array(stageSchema) })
  .openapi("Pipeline");

dealRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/pipelines",
    tags,
    summary: "Create a pipeline with ordered stages (probability 0–100, category open/won/lost)",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(
      z.object({
        name: z.string().trim().min(1).max(100),
        isDefault: z.boolean().optional(),
        stages: z
          .array(
            z.object({
              name: z.string().trim().min(1).max(100),
              probability: z.number().int().min(0).max(100),
              category: z.enum(STAGE_CATEGORIES).optional(),
            }),
          )
          .min(3)
          .max(30),
      }),
    ),
    responses: { 201: jsonResponse(pipelineSchema, "Created"), ...errors },
  }),
  async (c) =>
    c.json(await pipelines.createPipeline(c.get("db"), c.get("principal"), c.req.valid("json")), 201),
);

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pipelines",
    tags,
    summary: "List pipelines with their stages",
    middleware: [...auth] as const,
    responses: {
      200: jsonResponse(z.object({ pipelines: z.array(pipelineSchema) }), "Pipelines"),
      ...errors,
    },
  }),
  async (c) =>
    c.json({ pipelines: await pipelines.listPipelines(c.get("db"), c.get("principal").tenantId) }, 200),
);

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Get a pipeline",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(pipelineSchema, "Pipeline"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.getPipeline(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    ),
);

dealRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Rename a pipeline or make it the default",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ name: z.string().trim().min(1).max(100), isDefault: z.boolean() }).partial()),
    },
    responses: { 200: jsonResponse(pipelineSchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.updatePipeline(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
);

dealRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Delete a pipeline without deals, with its stages (409 while it has deals)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await pipelines.deletePipeline(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

const stageParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
  stageId: z.uuid().openapi({ param: { name: "stageId", in: "path" } }),
});
const stageFields = {
  name: z.string().trim().min(1).max(100),
  probability: z.number().int().min(0).max(100),
  category: z.enum(STAGE_CATEGORIES),
};

dealRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/pipelines/{id}/stages",
    tags,
    summary: "Add a stage at a position (default last)",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          ...stageFields,
          category: stageFields.category.optional(),
          position: z.number().int().min(0).max(100).optional(),
        }),
      ),
    },
    responses: { 201: jsonResponse(pipelineSchema, "Added"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.addStage(c.get("db"), c.get("principal"), c.req.valid("param").id, c.req.valid("json")),
      201,
    ),
);

dealRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/pipelines/{id}/stages",
    tags,
    summary: "Reorder the stages: stageIds lists every stage of the pipeline once, in the new order",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ stageIds: z.array(z.uuid()).min(1).max(30) })),
    },
    responses: { 200: jsonResponse(pipelineSchema, "Reordered"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.reorderStages(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json").stageIds,
      ),
      200,
    ),
);

dealRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/pipelines/{id}/stages/{stageId}",
    tags,
    summary: "Rename a stage, change its probability, or its category while it has no deals",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: stageParams, ...jsonBody(z.object(stageFields).partial()) },
    responses: { 200: jsonResponse(pipelineSchema, "Updated"), ...errors },
  }),
  async (c) => {
    const { id, stageId } = c.req.valid("param");
    return c.json(
      await pipelines.updateStage(c.get("db"), c.get("principal"), id, stageId, c.req.valid("json")),
      200,
    );
  },
);

dealRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/pipelines/{id}/stages/{stageId}",
    tags,
    summary:
      "Delete a stage; its deals move to moveTo (another stage of the same category), else 409 while it has deals",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: stageParams, query: z.object({ moveTo: z.uuid().optional() }) },
    responses: { 200: jsonResponse(z.object({ moved: z.number() }), "Deleted"), ...errors },
  }),
  async (c) => {
    const { id, stageId } = c.req.valid("param");
    const p = c.get("principal");
    const result = await pipelines.deleteStage(c.get("db"), p, id, stageId, c.req.valid("query").moveTo);
    if (result.moved > 0) c.get("outboxTenants").add(p.tenantId);
    return c.json(result, 200);
  },
);

const dealFields = {
  title: z.string().trim().min(1).max(300),
  amount: money,
  currency,
  expectedCloseDate: date.nullable(),
  forecastCategory: z.enum(FORECAST_CATEGORIES),
  ownerId: z.uuid().nullable(),
  contactId: z.uuid().nullable(),
  companyId: z.uuid().nullable(),
};

dealRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/deals",
    tags,
    summary: "Create a deal (default pipeline and its first open stage unless given)",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: jsonBody(
      z
        .object({ ...dealFields, pipelineId: z.uuid(), stageId: z.uuid(), leadId: z.uuid().nullable() })
        .partial()
        .required({ title: true })
        .openapi("NewDeal"),
    ),
    responses: { 201: jsonResponse(dealSchema, "Created"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const deal = await deals.createDeal(c.get("db"), p, c.req.valid("json"));
    c.get("outboxTenants").add(p.tenantId);
    return c.json(deal, 201);
  },
);

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/deals",
    tags,
    summary: "List deals: filters, sorting, cursor pagination",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        pipelineId: z.uuid().optional(),
        stageId: z.uuid().optional(),
        ownerId: z.uuid().optional(),
        leadId: z.uuid().optional().openapi({ description: "Deals opened from this lead" }),
        status: z.enum(STAGE_CATEGORIES).optional(),
        stale: z
          .enum(["true", "false"])
          .transform((v) => v === "true")
          .optional(),
        ...listQuery(["created_at", "updated_at", "amount"] as const),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ deals: z.array(dealSchema), nextCursor: z.string().nullable() }), "Deals"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(await deals.listDeals(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/deals/{id}",
    tags,
    summary: "Get a deal",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(dealSchema, "Deal"), ...errors },
  }),
  async (c) =>
    c.json(await deals.getDeal(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

dealRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/deals/{id}",
    tags,
    summary: "Update a deal; a new stageId moves it (history kept; won/lost close it, lost needs a reason)",
    middleware: [...auth, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z
          .object({ ...dealFields, stageId: z.uuid(), reason: z.string().trim().min(1).max(500) })
          .partial()
          .openapi("DealUpdate"),
      ),
    },
    responses: { 200: jsonResponse(dealSchema, "Updated"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const deal = await deals.updateDeal(c.get("db"), p, c.req.valid("param").id, c.req.valid("json"));
    c.get("outboxTenants").add(p.tenantId);
    return c.json(deal, 200);
  },
);

dealRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/deals/{id}",
    tags,
    summary:
      "Delete a deal and its stage history; activities that also belong to a contact, company or lead stay there",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await deals.deleteDeal(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/deals/{id}/history",
    tags,
    summary: "The deal's stage history",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: {
      200: jsonResponse(
        z.object({
          history: z.array(
            z.object({
              fromStageId: z.uuid().nullable(),
              toStageId: z.uuid(),
              changedBy: z.uuid().nullable(),
              changedAt: z.string(),
            }),
          ),
        }),
        "History",
      ),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      { history: await deals.dealHistory(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id) },
      200,
    ),
);

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

dealRoutes.openapi(
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
    c.get("outboxTenants").add(p.tenantId);
    return c.json(activity, 201);
  },
);

dealRoutes.openapi(
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

dealRoutes.openapi(
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

const cellSchema = z.object({
  month: z.string().nullable(),
  ownerId: z.string().nullable(),
  pipeline: z.number(),
  bestCase: z.number(),
  commit: z.number(),
  closedWon: z.number(),
  weighted: z.number(),
  openDeals: z.number(),
  wonDeals: z.number(),
});
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM");

dealRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/forecast",
    tags: ["Forecast"],
    summary:
      "Weighted forecast by close month and owner (pipeline / best case / commit / closed won), win rate by stage, sales velocity",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        pipelineId: z.uuid().optional(),
        currency: currency.default("USD").transform((v) => v.toUpperCase()),
        from: month.optional(),
        to: month.optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        z
          .object({
            currency: z.string(),
            cells: z.array(cellSchema),
            totals: cellSchema.omit({ month: true, ownerId: true }),
            winRateByStage: z.array(
              z.object({
                stageId: z.string(),
                won: z.number(),
                lost: z.number(),
                winRate: z.number().nullable(),
              }),
            ),
            velocity: z.object({
              averageDealSize: z.number(),
              winRate: z.number(),
              averageCycleDays: z.number(),
              perDay: z.number(),
            }),
          })
          .openapi("Forecast"),
        "Forecast",
      ),
      ...errors,
    },
  }),
  async (c) => c.json(await forecast(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);
