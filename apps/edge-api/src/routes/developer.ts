import { ReviewChecks } from "@autopilot/sdk";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { authenticateDeveloper } from "../http/developer-auth.js";
import { validationHook } from "../http/validation.js";
import * as developers from "../marketplace/developers.js";
import { autoUpgrade, yank } from "../marketplace/installs.js";
import { isOperator } from "../marketplace/operators.js";
import * as versions from "../marketplace/versions.js";
import { acceptPackage } from "../plugins/packages.js";
import {
  category,
  developerPluginSchema,
  pluginIdOf,
  profileInput,
  profileSchema,
  tokenSchema,
  versionParams,
  versionSchema,
  yankBody,
  yankedSchema,
} from "./marketplace-schemas.js";
import { yankDeps } from "./plugin-deps.js";
import { packedPlugin } from "./plugin-schemas.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// The developer side of the marketplace (issue 19): a profile, CLI tokens, submitting versions (the
// CLI's `publish`), their review status and reports, install counts and failures — never a
// workspace's data. Account routes need a signed-in user; a CLI token only submits and reads status.

export const developerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Developers"];
const session = [authenticateDeveloper({ tokens: false })] as const;
const cli = [authenticateDeveloper({ tokens: true })] as const;

developerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/developer/profile",
    tags,
    summary: "My developer profile (absent until created), and whether I am platform staff",
    middleware: [...session] as const,
    responses: {
      200: jsonResponse(
        z.object({ profile: profileSchema.optional(), operator: z.boolean() }),
        "The profile",
      ),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      {
        profile: (await developers.getProfile(c.get("db"), c.get("developer").userId)) ?? undefined,
        operator: isOperator(c.env, c.get("principal").user),
      },
      200,
    ),
);

developerRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/developer/profile",
    tags,
    summary: "Create or change my developer profile (the verified badge is set by platform staff)",
    middleware: [...session] as const,
    request: jsonBody(profileInput),
    responses: { 200: jsonResponse(profileSchema, "Saved"), ...errors },
  }),
  async (c) =>
    c.json(await developers.saveProfile(c.get("db"), c.get("developer").userId, c.req.valid("json")), 200),
);

developerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/developer/tokens",
    tags,
    summary: "My CLI tokens (never their secrets)",
    middleware: [...session] as const,
    responses: { 200: jsonResponse(z.object({ tokens: z.array(tokenSchema) }), "Tokens"), ...errors },
  }),
  async (c) => c.json({ tokens: await developers.listTokens(c.get("db"), c.get("developer").userId) }, 200),
);

developerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/developer/tokens",
    tags,
    summary: "Create a CLI token for publishing; its secret is shown this once",
    middleware: [...session] as const,
    request: jsonBody(z.object({ name: z.string().trim().min(1).max(80) })),
    responses: { 201: jsonResponse(tokenSchema.extend({ token: z.string() }), "Created"), ...errors },
  }),
  async (c) =>
    c.json(
      await developers.createToken(c.get("db"), c.get("developer").userId, c.req.valid("json").name),
      201,
    ),
);

developerRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/developer/tokens/{id}",
    tags,
    summary: "Revoke a CLI token",
    middleware: [...session] as const,
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 200: jsonResponse(tokenSchema, "Revoked"), ...errors },
  }),
  async (c) =>
    c.json(
      await developers.revokeToken(c.get("db"), c.get("developer").userId, c.req.valid("param").id),
      200,
    ),
);

developerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/developer/versions",
    tags,
    summary:
      "Submit a packed version (autopilot-plugin publish): automated checks run now, then staff review",
    middleware: [...cli] as const,
    request: jsonBody(
      z.object({
        package: packedPlugin,
        /** The listing's category: set on the first submission ("other" if none), changed when given. */
        category: category.optional(),
        /** Publish as soon as staff approve (else publish it yourself afterwards). */
        publishOnApproval: z.boolean().default(true),
      }),
    ),
    responses: { 201: jsonResponse(versionSchema, "Submitted, with its checks"), ...errors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const checks = ReviewChecks.safeParse(body.package.checks);
    if (!checks.success) {
      const issue = checks.error.issues[0];
      throw new AppError("invalid_request", `package.checks.${issue?.path.join(".")}: ${issue?.message}`);
    }
    const accepted = await acceptPackage(c.env, body.package);
    const version = await versions.submitVersion(c.env, c.get("db"), c.get("developer").userId, {
      manifest: accepted.manifest,
      code: body.package.bundle,
      bytes: accepted.bytes,
      readme: body.package.readme,
      changelog: body.package.changelog,
      checks: checks.data,
      category: body.category,
      publishOnApproval: body.publishOnApproval,
    });
    return c.json(version, 201);
  },
);

developerRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/developer/plugins",
    tags,
    summary:
      "My plugins: versions with review status and reports, install counts, failures across installs (counts only)",
    middleware: [...cli] as const,
    responses: {
      200: jsonResponse(z.object({ plugins: z.array(developerPluginSchema) }), "Plugins"),
      ...errors,
    },
  }),
  async (c) =>
    c.json({ plugins: await versions.developerPlugins(c.get("db"), c.get("developer").userId) }, 200),
);

developerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/developer/plugins/{publisher}/{name}/versions/{version}/publish",
    tags,
    summary: "Publish an approved version",
    middleware: [...cli] as const,
    request: { params: versionParams },
    responses: { 200: jsonResponse(versionSchema, "Published"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const db = c.get("db");
    const published = await versions.publishVersion(db, c.get("developer").userId, pluginIdOf(p), p.version);
    await autoUpgrade({ db, masterKey: c.env.AI_MASTER_KEY }, pluginIdOf(p), p.version);
    return c.json(published, 200);
  },
);

developerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/developer/plugins/{publisher}/{name}/versions/{version}/deprecate",
    tags,
    summary: "Deprecate a published version: no new installs; those running it keep it",
    middleware: [...session] as const,
    request: { params: versionParams },
    responses: { 200: jsonResponse(versionSchema, "Deprecated"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    return c.json(
      await versions.deprecateVersion(c.get("db"), c.get("developer").userId, pluginIdOf(p), p.version),
      200,
    );
  },
);

developerRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/developer/plugins/{publisher}/{name}/versions/{version}/yank",
    tags,
    summary: "Yank a version: every install of it is paused and its workspace's admins are told",
    middleware: [...session] as const,
    request: {
      params: versionParams,
      ...jsonBody(yankBody),
    },
    responses: {
      200: jsonResponse(yankedSchema, "Yanked"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const yanked = await yank(
      yankDeps(c),
      c.get("developer").userId,
      pluginIdOf(p),
      p.version,
      c.req.valid("json").reason,
    );
    return c.json(yanked, 200);
  },
);
