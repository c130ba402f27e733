import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { keyPrefixesCreatedBy } from "../domain/api-keys.js";
import * as members from "../domain/members.js";
import type { AppEnv } from "../env.js";
import { apiKeyGate, authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { mailerFor } from "../mail/mailer.js";
import { email, errors, jsonBody, jsonResponse, okSchema, role } from "./schemas.js";

export const memberRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Members"];
const auth = [authenticate, limitByPrincipal] as const;
const userIdParam = z.object({ userId: z.uuid().openapi({ param: { name: "userId", in: "path" } }) });

const memberSchema = z
  .object({
    userId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role,
    emailVerified: z.boolean(),
    joinedAt: z.string(),
  })
  .openapi("Member");
const inviteSchema = z
  .object({ id: z.uuid(), email: z.string(), role, expiresAt: z.string() })
  .openapi("Invite");

/** The member's keys are re-read on their next request, so they follow the new role at once. */
async function refreshKeysOf(c: Context<AppEnv>, userId: string): Promise<void> {
  const prefixes = await keyPrefixesCreatedBy(c.get("db"), c.get("principal").tenantId, userId);
  await Promise.all(prefixes.map((prefix) => apiKeyGate(c.env, prefix).forget()));
}

memberRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/members",
    tags,
    summary: "List the workspace's members and pending invites",
    middleware: [...auth],
    responses: {
      200: jsonResponse(
        z.object({ members: z.array(memberSchema), invites: z.array(inviteSchema) }),
        "Members",
      ),
      ...errors,
    },
  }),
  async (c) => {
    return c.json(await members.listMembersAndInvites(c.get("db"), c.get("principal").tenantId), 200);
  },
);

memberRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/members/invites",
    tags,
    summary: "Invite someone by email (single-use link, expires in 7 days)",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(z.object({ email, role })),
    responses: { 201: jsonResponse(inviteSchema, "Invited"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const invite = await members.inviteMember(
      c.get("db"),
      mailerFor(c.env.MAILER),
      c.env.APP_URL,
      p,
      c.req.valid("json"),
    );
    return c.json(invite, 201);
  },
);

memberRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/members/{userId}",
    tags,
    summary: "Change a member's role (never leaves the workspace without an owner)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: userIdParam, ...jsonBody(z.object({ role })) },
    responses: { 200: jsonResponse(z.object({ userId: z.uuid(), role }), "Changed"), ...errors },
  }),
  async (c) => {
    const { userId } = c.req.valid("param");
    const changed = await members.changeRole(
      c.get("db"),
      c.get("principal"),
      userId,
      c.req.valid("json").role,
    );
    await refreshKeysOf(c, userId);
    return c.json(changed, 200);
  },
);

memberRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/members/{userId}",
    tags,
    summary: "Remove a member (never the last owner)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: userIdParam },
    responses: { 200: jsonResponse(okSchema, "Removed"), ...errors },
  }),
  async (c) => {
    await members.removeMember(c.get("db"), c.get("principal"), c.req.valid("param").userId);
    await refreshKeysOf(c, c.req.valid("param").userId);
    return c.json({ ok: true as const }, 200);
  },
);
