import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { inboundAddressOf } from "../domain/inbound-email.js";
import { getWorkspace, updateWorkspace } from "../domain/workspace.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse, locale, timeZone } from "./schemas.js";

// The caller's workspace (tenant): read by any member; renamed (onboarding's company step) and given
// its time zone and locale by admins.

export const workspaceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Workspace"];
const auth = [authenticate, limitByPrincipal] as const;

const workspaceSchema = z
  .object({ id: z.uuid(), name: z.string(), timeZone: z.string(), locale: z.string(), createdAt: z.string() })
  .openapi("Workspace");

workspaceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/workspace",
    tags,
    summary: "The caller's workspace",
    middleware: [...auth] as const,
    responses: { 200: jsonResponse(workspaceSchema, "Workspace"), ...errors },
  }),
  async (c) => c.json(await getWorkspace(c.get("db"), c.get("principal").tenantId), 200),
);

workspaceRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/workspace",
    tags,
    summary: "Rename the workspace, or set its time zone and locale",
    description:
      "Signed-in users see the new name at once; requests with an API key may see the old one for up to a minute (the key's cache). The time zone applies to business hours, reports and new conversations; the locale to the chat widget's words and the dashboard's dates.",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z
        .object({
          name: z
            .string()
            .trim()
            .min(1, "must not be empty")
            .max(120, "must be at most 120 characters")
            .openapi({ example: "Acme Ltd" })
            .optional(),
          timeZone: timeZone.optional(),
          locale: locale.optional(),
        })
        .refine((b) => Object.values(b).some((v) => v !== undefined), {
          message: "give a name, a timeZone or a locale",
          path: ["name"],
        }),
    ),
    responses: { 200: jsonResponse(workspaceSchema, "Updated"), ...errors },
  }),
  async (c) => c.json(await updateWorkspace(c.get("db"), c.get("principal"), c.req.valid("json")), 200),
);

workspaceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/workspace/inbound-email",
    tags,
    summary: "The workspace's inbound email address",
    description:
      "Mail sent to this address becomes conversations of the workspace's email channel (the Email plugin, installed from the marketplace); without one it is refused. Forward your support address here. Made on first read.",
    middleware: [...auth] as const,
    responses: {
      200: jsonResponse(
        z
          .object({ address: z.email().openapi({ example: "acme-k3x9qp2m@inbound.example.com" }) })
          .openapi("InboundEmailAddress"),
        "Address",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const { address } = await inboundAddressOf(
      c.get("db"),
      c.get("principal").tenantId,
      c.env.INBOUND_EMAIL_DOMAIN || undefined,
    );
    return c.json({ address }, 200);
  },
);
