import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { requireOperator } from "../http/developer-auth.js";
import { validationHook } from "../http/validation.js";
import * as developers from "../marketplace/developers.js";
import { autoUpgrade, yank } from "../marketplace/installs.js";
import * as versions from "../marketplace/versions.js";
import {
  pluginIdOf,
  profileSchema,
  reviewItemSchema,
  versionParams,
  versionSchema,
  yankBody,
  yankedSchema,
} from "./marketplace-schemas.js";
import { yankDeps } from "./plugin-deps.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// Platform staff (issue 19): the human half of a version's review, the developers' verified badge,
// and yanking a version from any publisher. Outside every workspace: see marketplace/operators.ts.

export const operatorRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Platform staff"];

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/reviews",
    tags,
    summary: "Versions waiting for review, oldest first, with their automated checks and README",
    middleware: [requireOperator] as const,
    responses: { 200: jsonResponse(z.object({ reviews: z.array(reviewItemSchema) }), "Queue"), ...errors },
  }),
  async (c) => c.json({ reviews: await versions.reviewQueue(c.get("db")) }, 200),
);

operatorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/plugins/{publisher}/{name}/versions/{version}/approve",
    tags,
    summary: "Approve a version in review (published at once if its developer asked for that)",
    middleware: [requireOperator] as const,
    request: { params: versionParams },
    responses: { 200: jsonResponse(versionSchema, "Approved"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const db = c.get("db");
    const approved = await versions.approveVersion(db, c.get("principal").id, pluginIdOf(p), p.version);
    if (approved.status === "published")
      await autoUpgrade({ db, masterKey: c.env.AI_MASTER_KEY }, pluginIdOf(p), p.version);
    return c.json(approved, 200);
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/plugins/{publisher}/{name}/versions/{version}/reject",
    tags,
    summary: "Reject a version in review, with the reason its developer reads",
    middleware: [requireOperator] as const,
    request: { params: versionParams, ...jsonBody(z.object({ reason: z.string().trim().min(3).max(2000) })) },
    responses: { 200: jsonResponse(versionSchema, "Rejected"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    return c.json(
      await versions.rejectVersion(
        c.get("db"),
        c.get("principal").id,
        pluginIdOf(p),
        p.version,
        c.req.valid("json").reason,
      ),
      200,
    );
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/plugins/{publisher}/{name}/versions/{version}/yank",
    tags,
    summary: "Yank any publisher's version: its installs are paused and their admins told",
    middleware: [requireOperator] as const,
    request: { params: versionParams, ...jsonBody(yankBody) },
    responses: {
      200: jsonResponse(yankedSchema, "Yanked"),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const yanked = await yank(yankDeps(c), null, pluginIdOf(p), p.version, c.req.valid("json").reason);
    return c.json(yanked, 200);
  },
);

operatorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/operator/developers",
    tags,
    summary: "Every developer profile",
    middleware: [requireOperator] as const,
    responses: {
      200: jsonResponse(z.object({ developers: z.array(profileSchema) }), "Developers"),
      ...errors,
    },
  }),
  async (c) => c.json({ developers: await developers.listDevelopers(c.get("db")) }, 200),
);

operatorRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/operator/developers/{userId}/verified",
    tags,
    summary: "Set or clear a developer's verified badge",
    middleware: [requireOperator] as const,
    request: { params: z.object({ userId: z.uuid() }), ...jsonBody(z.object({ verified: z.boolean() })) },
    responses: { 200: jsonResponse(profileSchema, "Saved"), ...errors },
  }),
  async (c) =>
    c.json(
      await developers.setVerified(c.get("db"), c.req.valid("param").userId, c.req.valid("json").verified),
      200,
    ),
);
