import { FORECAST_CATEGORIES, STAGE_CATEGORIES } from "@autopilot/db";
import { z } from "@hono/zod-openapi";

// Deal shapes shared by the deal routes and the lead conversion (which answers with the new deal).

export const money = z.number().nonnegative().max(1e12);
export const currency = z.string().regex(/^[A-Za-z]{3}$/, "a 3-letter ISO 4217 code");
export const date = z.iso.date();
export const dealSchema = z
  .object({
    id: z.uuid(),
    pipelineId: z.uuid(),
    stageId: z.uuid(),
    status: z.enum(STAGE_CATEGORIES).nullable(),
    title: z.string(),
    amount: z.number(),
    currency: z.string(),
    expectedCloseDate: z.string().nullable(),
    forecastCategory: z.enum(FORECAST_CATEGORIES),
    ownerId: z.uuid().nullable(),
    contactId: z.uuid().nullable(),
    companyId: z.uuid().nullable(),
    leadId: z.uuid().nullable(),
    wonReason: z.string().nullable(),
    lostReason: z.string().nullable(),
    closedAt: z.string().nullable(),
    stageEnteredAt: z.string(),
    lastActivityAt: z.string().nullable(),
    staleFlaggedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Deal");
