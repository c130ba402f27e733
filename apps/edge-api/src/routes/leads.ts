import { LEAD_SOURCES, LEAD_STATUSES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { assignThroughCoordinator } from "../domain/assignment/coordinate.js";
import { AppError } from "../domain/errors.js";
import { convertLead } from "../domain/leads/convert.js";
import { acceptLeadsCsv, getImport, IMPORT_LIMITS } from "../domain/leads/import-csv.js";
import * as leads from "../domain/leads/leads.js";
import { listScoringRules, replaceScoringRules } from "../domain/leads/scoring-rules.js";
import { salesSettingsOf, updateSalesSettings } from "../domain/leads/settings.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam, listQuery, pageOf } from "./crm-schemas.js";
import { currency, date, dealSchema, money } from "./deal-schemas.js";
import {
  importReportSchema,
  leadSchema,
  leadUpdateBody,
  newLeadBody,
  scoringRuleSchema,
  settingsSchema,
} from "./lead-schemas.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const leadRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Leads"];
const auth = [authenticate, limitByPrincipal] as const;

leadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads",
    tags,
    summary: "Create a lead (its contact is upserted on email/phone), scored at once; optionally assigned",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: jsonBody(newLeadBody),
    responses: { 201: jsonResponse(leadSchema, "Created"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const { assign, ...input } = c.req.valid("json");
    let lead = await leads.createLead(c.get("db"), p, input);
    if (assign) lead = (await assignThroughCoordinator(c.env, c.get("db"), p.tenantId, lead.id)).lead;
    return c.json(lead, 201);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/leads",
    tags,
    summary: "List leads: filters, sorting, cursor pagination",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        status: z.enum(LEAD_STATUSES).optional(),
        ownerId: z.uuid().optional(),
        teamId: z.uuid().optional(),
        contactId: z.uuid().optional(),
        source: z.enum(LEAD_SOURCES).optional(),
        minScore: z.coerce.number().int().min(0).max(100).optional(),
        ...listQuery(["created_at", "updated_at", "score"] as const),
      }),
    },
    responses: {
      200: jsonResponse(pageOf("leads", leadSchema), "Leads"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(await leads.listLeads(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/leads/{id}",
    tags,
    summary: "Get a lead with its score breakdown",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(leadSchema, "Lead"), ...errors },
  }),
  async (c) =>
    c.json(await leads.getLead(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

leadRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/leads/{id}",
    tags,
    summary: "Update a lead: status (lifecycle checked; disqualifying needs a reason), signals, attributes…",
    middleware: [...auth, requireRole("agent")] as const,
    request: { params: idParam, ...jsonBody(leadUpdateBody) },
    responses: { 200: jsonResponse(leadSchema, "Updated"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const lead = await leads.updateLead(c.get("db"), p, c.req.valid("param").id, c.req.valid("json"));
    return c.json(lead, 200);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads/{id}/events",
    tags,
    summary: "Record an engagement event (page view, reply…) and rescore the lead",
    middleware: [...auth, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          type: z.string().trim().min(1).max(100),
          occurredAt: z.iso.datetime({ offset: true }).optional(),
          data: z.record(z.string(), z.unknown()).optional(),
        }),
      ),
    },
    responses: { 200: jsonResponse(leadSchema, "Rescored lead"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const lead = await leads.addLeadEvent(c.get("db"), p, c.req.valid("param").id, c.req.valid("json"));
    return c.json(lead, 200);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads/{id}/touch",
    tags,
    summary: "Mark the first touch (stops the first-touch SLA clock)",
    middleware: [...auth, requireRole("agent")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(leadSchema, "Lead"), ...errors },
  }),
  async (c) => {
    return c.json(
      await leads.markFirstTouch(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    );
  },
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/leads/{id}/history",
    tags,
    summary: "The lead's status changes, oldest first, each with who made it and why",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: {
      200: jsonResponse(
        z.object({
          history: z.array(
            z.object({
              from: z.enum(LEAD_STATUSES),
              to: z.enum(LEAD_STATUSES),
              reason: z.string().nullable(),
              changedBy: z.uuid().nullable(),
              changedAt: z.string(),
            }),
          ),
        }),
        "Status history",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const history = await leads.leadHistory(
      c.get("db"),
      c.get("principal").tenantId,
      c.req.valid("param").id,
    );
    return c.json({ history }, 200);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads/{id}/convert",
    tags,
    summary: "Convert the lead into a deal linked to it, its contact and its company",
    description:
      "The deal goes to the default pipeline's first open stage unless pipelineId/stageId say otherwise, is owned by the lead's owner and is worth the lead's budget unless amount is given. The lead becomes converted; converting it again answers 409.",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z
          .object({
            title: z.string().trim().min(1).max(300),
            pipelineId: z.uuid(),
            stageId: z.uuid(),
            amount: money,
            currency,
            expectedCloseDate: date.nullable(),
          })
          .partial()
          .openapi("LeadConversion"),
      ),
    },
    responses: {
      201: jsonResponse(z.object({ lead: leadSchema, deal: dealSchema }), "The converted lead and its deal"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const result = await convertLead(c.get("db"), p, c.req.valid("param").id, c.req.valid("json"));
    return c.json(result, 201);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/leads/{id}/decisions",
    tags,
    summary: "The lead's assignment decisions, newest first, each with its reason",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: {
      200: jsonResponse(
        z.object({
          decisions: z.array(
            z.object({
              id: z.uuid(),
              ruleId: z.uuid().nullable(),
              teamId: z.uuid().nullable(),
              ownerId: z.uuid().nullable(),
              strategy: z.string(),
              reason: z.string(),
              skipped: z.array(z.object({ userId: z.string(), reason: z.string() })),
              createdAt: z.string(),
            }),
          ),
        }),
        "Decisions",
      ),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      {
        decisions: await leads.listDecisions(
          c.get("db"),
          c.get("principal").tenantId,
          c.req.valid("param").id,
        ),
      },
      200,
    ),
);

leadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads/import",
    tags,
    summary:
      "Import leads from CSV (text/csv, header row; columns name,email,phone,company,domain,title,territory,language,product,budget,authority,need,timeline, others become attributes; at most 50,000 rows and 10 MB). The file is checked and accepted (202), then imported in the background: poll GET /v1/leads/imports/{id} for progress. Bad rows are reported and skipped.",
    middleware: [...auth, requireRole("agent")] as const,
    request: { body: { required: true, content: { "text/csv": { schema: z.string() } } } },
    responses: { 202: jsonResponse(importReportSchema, "Import accepted"), ...errors, 413: errors[400] },
  }),
  async (c) => {
    const p = c.get("principal");
    const type = c.req.header("content-type") ?? "";
    if (!type.startsWith("text/csv"))
      throw new AppError("unsupported_media_type", "content-type: send text/csv");
    if (Number(c.req.header("content-length") ?? 0) > IMPORT_LIMITS.maxBytes) {
      throw new AppError("too_large", `body: at most ${IMPORT_LIMITS.maxBytes} bytes`);
    }
    const body = c.req.raw.body;
    if (!body) throw new AppError("invalid_request", "body: the CSV is empty");
    const report = await acceptLeadsCsv(c.get("db"), p, body);
    await c.env.LEAD_IMPORTS.send({ type: "lead-import", tenantId: p.tenantId, importId: report.importId });
    return c.json(report, 202);
  },
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/leads/imports/{id}",
    tags,
    summary: "An import's progress and per-row error report",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(importReportSchema, "Import"), ...errors },
  }),
  async (c) =>
    c.json(await getImport(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/scoring-rules",
    tags,
    summary: "The tenant's lead scoring rules, in order",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(z.object({ rules: z.array(scoringRuleSchema) }), "Rules"), ...errors },
  }),
  async (c) => c.json({ rules: await listScoringRules(c.get("db"), c.get("principal").tenantId) }, 200),
);

leadRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/scoring-rules",
    tags,
    summary:
      "Replace the scoring rules (fit, engagement with half-life, BANT signals); leads rescore on their next event",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ rules: z.array(scoringRuleSchema).max(200) })),
    responses: { 200: jsonResponse(z.object({ rules: z.array(scoringRuleSchema) }), "Rules"), ...errors },
  }),
  async (c) =>
    c.json(
      { rules: await replaceScoringRules(c.get("db"), c.get("principal"), c.req.valid("json").rules) },
      200,
    ),
);

leadRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/sales/settings",
    tags,
    summary: "Status thresholds, first-touch SLA and stale-deal timer",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => c.json(await salesSettingsOf(c.get("db"), c.get("principal").tenantId), 200),
);

leadRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/sales/settings",
    tags,
    summary: "Change thresholds and timers",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      settingsSchema
        .partial()
        .refine(
          (s) => (s.qualifyingScore ?? 0) <= (s.mqlScore ?? 100) && (s.mqlScore ?? 0) <= (s.sqlScore ?? 100),
          { message: "thresholds must rise: qualifying ≤ mql ≤ sql", path: ["mqlScore"] },
        ),
    ),
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    return c.json(await updateSalesSettings(c.get("db"), tenantId, c.req.valid("json")), 200);
  },
);
