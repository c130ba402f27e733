import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import {
  businessHoursInput,
  businessHoursOf,
  businessHoursSchema,
  saveBusinessHours,
  viewOf,
} from "../domain/business-hours.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// The workspace's business hours (domain/business-hours.ts). Every member may read them; admins set them.

export const businessHoursRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Workspace"];
const auth = [authenticate, limitByPrincipal] as const;

businessHoursRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/settings/business-hours",
    tags,
    summary: "The business hours (weekly intervals in the workspace's time zone, closed dates)",
    description: "Not set (or `enabled` false) means always open.",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(businessHoursSchema, "Business hours"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const row = await businessHoursOf(c.get("db"), p.tenantId);
    return c.json(viewOf(row, p.timeZone), 200);
  },
);

businessHoursRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/settings/business-hours",
    tags,
    summary: "Set the business hours",
    description:
      "Out of hours a handoff asks the visitor for an email first, and routes with a business-hours entry condition apply. Conversations that start after the change use it; running ones keep the hours they started with.",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(businessHoursInput),
    responses: { 200: jsonResponse(businessHoursSchema, "Saved"), ...errors },
  }),
  async (c) => c.json(await saveBusinessHours(c.get("db"), c.get("principal"), c.req.valid("json")), 200),
);
