import { LEAD_SOURCES, LEAD_STATUSES } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { attributes } from "./crm-schemas.js";
import { email } from "./schemas.js";

export const signals = z
  .object({
    budget: z.number().nonnegative().nullable(),
    authority: z.boolean().nullable(),
    need: z.string().max(500).nullable(),
    timeline: z.string().max(200).nullable(),
  })
  .partial()
  .openapi("LeadSignals");

const shortText = z.string().trim().min(1).max(100).nullable();

export const newLeadBody = z
  .object({
    contactId: z.uuid().optional(),
    contact: z
      .object({
        name: z.string().trim().max(200).optional(),
        email: z.string().trim().pipe(email).nullable().optional(),
        phone: z.string().trim().min(3).max(40).nullable().optional(),
      })
      .refine((c) => Boolean(c.email || c.phone || c.name), {
        message: "give a name, an email or a phone",
        path: ["email"],
      })
      .optional(),
    companyId: z.uuid().optional(),
    company: z
      .object({
        name: z.string().trim().min(1).max(200),
        domain: z.string().trim().max(253).nullable().optional(),
      })
      .optional(),
    title: z.string().trim().max(300).optional(),
    source: z.enum(LEAD_SOURCES).default("api"),
    attributes: attributes.optional(),
    signals: signals.optional(),
    territory: shortText.optional(),
    language: shortText.optional(),
    product: shortText.optional(),
    assign: z
      .boolean()
      .default(false)
      .openapi({ description: "Run the assignment rules right after creating" }),
  })
  .refine((l) => Boolean(l.contactId || l.contact), {
    message: "give contactId or contact",
    path: ["contact"],
  })
  .openapi("NewLead");

export const leadUpdateBody = z
  .object({
    title: z.string().trim().max(300),
    status: z.enum(LEAD_STATUSES),
    disqualifyReason: z.string().trim().min(1).max(500),
    attributes,
    signals,
    territory: shortText,
    language: shortText,
    product: shortText,
  })
  .partial()
  .openapi("LeadUpdate");

const scoreLine = z.object({
  kind: z.enum(["fit", "engagement", "signal"]),
  label: z.string(),
  points: z.number(),
});

export const leadSchema = z
  .object({
    id: z.uuid(),
    contactId: z.uuid(),
    companyId: z.uuid().nullable(),
    title: z.string(),
    status: z.enum(LEAD_STATUSES),
    disqualifyReason: z.string().nullable(),
    score: z.number(),
    scoreBreakdown: z.array(scoreLine),
    scoredAt: z.string().nullable(),
    signals,
    attributes: z.record(z.string(), z.unknown()),
    source: z.enum(LEAD_SOURCES),
    territory: z.string().nullable(),
    language: z.string().nullable(),
    product: z.string().nullable(),
    routeId: z.string().nullable(),
    conversationId: z.string().nullable(),
    ownerId: z.uuid().nullable(),
    teamId: z.uuid().nullable(),
    assignedAt: z.string().nullable(),
    firstTouchedAt: z.string().nullable(),
    slaDueAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Lead");

const base = { label: z.string().trim().min(1).max(100), points: z.number().int().min(-100).max(100) };
export const scoringRuleSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("fit"),
      ...base,
      condition: z.object({
        field: z.string().min(1).max(64),
        op: z.enum(["eq", "neq", "in", "gte", "lte", "contains", "exists"]),
        value: z.unknown().optional(),
      }),
    }),
    z.object({
      kind: z.literal("engagement"),
      ...base,
      eventType: z.string().min(1).max(100),
      halfLifeDays: z.number().positive().max(3650),
      maxEvents: z.number().int().positive().max(1000).optional(),
    }),
    z.object({
      kind: z.literal("signal"),
      ...base,
      signal: z.enum(["budget", "authority", "need", "timeline"]),
      minBudget: z.number().nonnegative().optional(),
    }),
  ])
  .openapi("ScoringRule");

export const importReportSchema = z
  .object({
    importId: z.uuid(),
    status: z.enum(["running", "done", "failed"]),
    totalRows: z.number().describe("Data rows in the file"),
    rows: z.number().describe("Data rows handled so far (imported + failed)"),
    imported: z.number(),
    failed: z.number(),
    errors: z.array(z.object({ row: z.number(), field: z.string(), message: z.string() })),
  })
  .openapi("LeadImport");

export const settingsSchema = z
  .object({
    qualifyingScore: z.number().int().min(0).max(100),
    mqlScore: z.number().int().min(0).max(100),
    sqlScore: z.number().int().min(0).max(100),
    firstTouchSlaMinutes: z.number().int().min(1).max(43_200),
    staleDealDays: z.number().int().min(1).max(365),
  })
  .openapi("SalesSettings");
