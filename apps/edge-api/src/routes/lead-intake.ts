import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { assignThroughCoordinator } from "../domain/assignment/coordinate.js";
import * as intake from "../domain/leads/intake.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { enforce, limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { apiOrigin } from "./plugin-deps.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// The inbound lead webhook: its settings (admins) and the endpoint form tools post to (signed with the
// workspace's secret, no other credentials).

export const leadIntakeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Lead webhook"];
const auth = [authenticate, limitByPrincipal] as const;

/** Per workspace: a form's burst is fine, a flood is not. */
export const INTAKE_REQUESTS_PER_MINUTE = 300;

const path = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\w-]+(\.[\w-]+)*$/, "must be a dot path like data.email");
const mapping = z
  .object({
    email: path.optional(),
    name: path.optional(),
    firstName: path.optional(),
    lastName: path.optional(),
    phone: path.optional(),
    company: path.optional(),
    title: path.optional(),
    attributes: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), path).optional(),
  })
  .strict()
  .openapi("LeadIntakeMapping");

const intakeSchema = z
  .object({
    url: z.string(),
    enabled: z.boolean(),
    assign: z.boolean(),
    mapping,
    secret: z.string().openapi({ description: "whsec_…: signs what senders post" }),
    payloads: z.array(
      z.object({
        id: z.uuid(),
        receivedAt: z.string(),
        outcome: z.enum(["created", "duplicate", "refused"]),
        leadId: z.uuid().nullable(),
        error: z.string().nullable(),
        payload: z.unknown(),
      }),
    ),
  })
  .openapi("LeadIntake");

type View = Awaited<ReturnType<typeof intake.getIntake>>;
const withUrl = (c: Parameters<typeof apiOrigin>[0], v: View) => {
  const { id, ...rest } = v;
  return { url: `${apiOrigin(c)}/v1/intake/${id}`, ...rest };
};

leadIntakeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/lead-intake",
    tags,
    summary: "The workspace's lead webhook: its URL, secret, field mapping and the latest payloads",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(intakeSchema, "Lead webhook"), ...errors },
  }),
  async (c) =>
    c.json(
      withUrl(c, await intake.getIntake(c.get("db"), c.get("principal").tenantId, c.env.AI_MASTER_KEY)),
      200,
    ),
);

leadIntakeRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/lead-intake",
    tags,
    summary: "Turn the lead webhook on or off, assign its leads or not, and map the form's fields",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z
        .object({
          enabled: z.boolean().optional(),
          assign: z.boolean().optional(),
          mapping: mapping.optional(),
        })
        .refine((b) => Object.values(b).some((v) => v !== undefined), {
          message: "give enabled, assign or mapping",
          path: ["enabled"],
        }),
    ),
    responses: { 200: jsonResponse(intakeSchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      withUrl(
        c,
        await intake.updateIntake(c.get("db"), c.get("principal"), c.req.valid("json"), c.env.AI_MASTER_KEY),
      ),
      200,
    ),
);

leadIntakeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/lead-intake/rotate-secret",
    tags,
    summary: "A new signing secret, at once (the old one stops working)",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(intakeSchema, "Rotated"), ...errors },
  }),
  async (c) =>
    c.json(
      withUrl(c, await intake.rotateIntakeSecret(c.get("db"), c.get("principal"), c.env.AI_MASTER_KEY)),
      200,
    ),
);

leadIntakeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/intake/{id}",
    tags,
    summary: "A form tool's submission: becomes a contact and a lead, scored and assigned as usual",
    description:
      "Signed with the workspace's secret, either as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) or as `X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret as shown>`. JSON or a form post. A repeated `webhook-id` (or `Idempotency-Key`) makes no second lead.",
    request: { params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }) },
    responses: {
      201: jsonResponse(z.object({ leadId: z.uuid(), contactId: z.uuid() }), "Lead created"),
      200: jsonResponse(
        z.object({ leadId: z.uuid(), contactId: z.string(), duplicate: z.literal(true) }),
        "Seen before",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await enforce(c, `intake:${id}`, INTAKE_REQUESTS_PER_MINUTE);
    const db = c.get("db");
    const result = await intake.receiveIntake(
      db,
      id,
      {
        body: await c.req.text(),
        contentType: c.req.header("content-type") ?? "",
        headers: Object.fromEntries(c.req.raw.headers),
      },
      c.env.AI_MASTER_KEY,
    );
    if (result.duplicate)
      return c.json({ leadId: result.leadId, contactId: result.contactId, duplicate: true as const }, 200);
    if (result.assign)
      await assignThroughCoordinator(c.env, db, result.tenantId, result.leadId, { cause: "webhook" });
    return c.json({ leadId: result.leadId, contactId: result.contactId }, 201);
  },
);
