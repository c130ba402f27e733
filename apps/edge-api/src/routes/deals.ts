import { FORECAST_CATEGORIES, STAGE_CATEGORIES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as deals from "../domain/deals/deals.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam, listQuery, pageOf } from "./crm-schemas.js";
import { currency, date, dealSchema, money } from "./deal-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

// Deals: create, list with filters, read, update (stage moves recorded), delete, history.

export const dealRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Pipelines and deals"];
const auth = [authenticate, limitByPrincipal] as const;

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
      200: jsonResponse(pageOf("deals", dealSchema), "Deals"),
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
