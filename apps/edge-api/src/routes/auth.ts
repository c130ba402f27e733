import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as auth from "../domain/auth.js";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { authenticate } from "../http/auth.js";
import { limitByIp } from "../http/rate-limit.js";
import { endSession, startSession } from "../http/session-cookie.js";
import { validationHook } from "../http/validation.js";
import { mailerFor } from "../mail/mailer.js";
import {
  email,
  errors,
  jsonBody,
  jsonResponse,
  locale,
  okSchema,
  password,
  signedInSchema,
  timeZone,
} from "./schemas.js";

export const authRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Auth"];

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/signup",
    tags,
    summary: "Create a workspace and its owner, and sign in",
    middleware: [limitByIp("signup")] as const,
    request: jsonBody(
      z.object({
        email,
        password,
        name: z.string().trim().min(1).max(120),
        companyName: z.string().trim().min(1).max(120),
        timeZone: timeZone.optional(),
        locale: locale.optional(),
      }),
    ),
    responses: { 201: jsonResponse(signedInSchema, "Signed up and signed in"), ...errors },
  }),
  async (c) => {
    const signedIn = await auth.signup(
      c.get("db"),
      mailerFor(c.env.MAILER),
      c.env.APP_URL,
      c.req.valid("json"),
    );
    return c.json(startSession(c, signedIn), 201);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/login",
    tags,
    summary: "Sign in with email and password",
    middleware: [limitByIp("login")] as const,
    request: jsonBody(
      z.object({ email, password: z.string().min(1).max(200), tenantId: z.uuid().optional() }),
    ),
    responses: { 200: jsonResponse(signedInSchema, "Signed in"), ...errors },
  }),
  async (c) => c.json(startSession(c, await auth.login(c.get("db"), c.req.valid("json"))), 200),
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/logout",
    tags,
    summary: "Sign out (ends this session)",
    middleware: [authenticate] as const,
    responses: { 200: jsonResponse(okSchema, "Signed out"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    if (p.kind !== "session" || !p.sessionId)
      throw new AppError("not_a_session", "logout needs a session cookie");
    await auth.logout(c.get("db"), p.tenantId, p.sessionId);
    endSession(c);
    return c.json({ ok: true as const }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/verify-email",
    tags,
    summary: "Confirm an email address with the token from the verification mail",
    request: jsonBody(z.object({ token: z.string().min(10).max(200) })),
    responses: { 200: jsonResponse(okSchema, "Verified"), ...errors },
  }),
  async (c) => {
    await auth.verifyEmail(c.get("db"), c.req.valid("json").token);
    return c.json({ ok: true as const }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password-reset/request",
    tags,
    summary: "Mail a single-use password reset link (always answers 202)",
    middleware: [limitByIp("password-reset")] as const,
    request: jsonBody(z.object({ email })),
    responses: { 202: jsonResponse(okSchema, "Accepted"), ...errors },
  }),
  async (c) => {
    await auth.requestPasswordReset(
      c.get("db"),
      mailerFor(c.env.MAILER),
      c.env.APP_URL,
      c.req.valid("json").email,
    );
    return c.json({ ok: true as const }, 202);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password-reset/confirm",
    tags,
    summary: "Set a new password with a reset token",
    middleware: [limitByIp("password-reset")] as const,
    request: jsonBody(z.object({ token: z.string().min(10).max(200), password })),
    responses: { 200: jsonResponse(okSchema, "Password changed"), ...errors },
  }),
  async (c) => {
    const { token, password } = c.req.valid("json");
    await auth.confirmPasswordReset(c.get("db"), token, password);
    return c.json({ ok: true as const }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/accept-invite",
    tags,
    summary: "Join a workspace with an invite token (new or existing account)",
    middleware: [limitByIp("signup")] as const,
    request: jsonBody(
      z.object({ token: z.string().min(10).max(200), password, name: z.string().trim().max(120).optional() }),
    ),
    responses: { 200: jsonResponse(signedInSchema, "Joined and signed in"), ...errors },
  }),
  async (c) => {
    const signedIn = await auth.acceptInvite(c.get("db"), c.req.valid("json"));
    return c.json(startSession(c, signedIn), 200);
  },
);
