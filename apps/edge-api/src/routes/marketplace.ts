import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import * as market from "../marketplace/installs.js";
import { browse, listing } from "../marketplace/listings.js";
import * as installs from "../plugins/installs.js";
import { installView } from "../plugins/packages.js";
import { idParam } from "./crm-schemas.js";
import {
  category,
  listingSchema,
  listingSummarySchema,
  pluginIdParams,
  upgradePreviewSchema,
} from "./marketplace-schemas.js";
import { apiOrigin, setUp } from "./plugin-deps.js";
import { grantSchema, installSchema } from "./plugin-schemas.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// The marketplace as a workspace sees it (issue 19): listings to browse and search, a plugin's page,
// installing a published version with consent to everything it asks for, the permission diff before
// an upgrade, upgrading, rolling back and automatic patch upgrades.

export const marketplaceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Marketplace"];
const auth = [authenticate, limitByPrincipal] as const;
const deps = (c: { env: AppEnv["Bindings"]; get(key: "db"): AppEnv["Variables"]["db"] }) => ({
  db: c.get("db"),
  masterKey: c.env.AI_MASTER_KEY,
});

marketplaceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/marketplace/plugins",
    tags,
    summary: "Published plugins: search (words in name, description, publisher) and category",
    middleware: [...auth] as const,
    request: {
      query: z.object({ q: z.string().trim().max(100).optional(), category: category.optional() }),
    },
    responses: {
      200: jsonResponse(z.object({ plugins: z.array(listingSummarySchema) }), "Listings"),
      ...errors,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json({ plugins: await browse(c.get("db"), { search: q.q, category: q.category }) }, 200);
  },
);

marketplaceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/marketplace/plugins/{publisher}/{name}",
    tags,
    summary: "A plugin's page: README, what it asks for in plain words, versions and changelogs",
    middleware: [...auth] as const,
    request: { params: pluginIdParams },
    responses: { 200: jsonResponse(listingSchema, "The plugin"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    return c.json(await listing(c.get("db"), `${p.publisher}/${p.name}`), 200);
  },
);

marketplaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/marketplace/plugins/{publisher}/{name}/install",
    tags,
    summary: "Install a published version: grant exactly what it asks for, and its settings",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: pluginIdParams,
      ...jsonBody(
        z.object({
          version: z.string().max(64).optional(),
          grant: grantSchema,
          config: z.record(z.string(), z.unknown()).default({}),
          autoUpgrade: z.boolean().default(false),
        }),
      ),
    },
    responses: { 201: jsonResponse(installSchema, "Installed"), ...errors },
  }),
  async (c) => {
    const p = c.req.valid("param");
    const body = c.req.valid("json");
    const install = await market.installListed(deps(c), c.get("principal").tenantId, {
      pluginId: `${p.publisher}/${p.name}`,
      ...body,
    });
    await setUp(c, install.id);
    return c.json(installView(install, apiOrigin(c)), 201);
  },
);

marketplaceRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/installs/{id}/upgrade",
    tags,
    summary: "What upgrading to a version (default: the newest) adds or drops, and whether it needs consent",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, query: z.object({ version: z.string().max(64).optional() }) },
    responses: { 200: jsonResponse(upgradePreviewSchema, "The diff"), ...errors },
  }),
  async (c) =>
    c.json(
      await market.upgradePreview(
        deps(c),
        c.get("principal").tenantId,
        c.req.valid("param").id,
        c.req.valid("query").version,
      ),
      200,
    ),
);

marketplaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs/{id}/upgrade",
    tags,
    summary:
      "Upgrade a marketplace install; a version asking for more needs a grant of everything it asks for (409 consent_required)",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ version: z.string().max(64).optional(), grant: grantSchema.optional() })),
    },
    responses: { 200: jsonResponse(installSchema, "Upgraded"), ...errors },
  }),
  async (c) =>
    c.json(
      installView(
        await market.upgradeListed(
          deps(c),
          c.get("principal").tenantId,
          c.req.valid("param").id,
          c.req.valid("json"),
        ),
        apiOrigin(c),
      ),
      200,
    ),
);

marketplaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs/{id}/rollback",
    tags,
    summary: "Go back to the version the last upgrade replaced",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(installSchema, "Rolled back"), ...errors },
  }),
  async (c) =>
    c.json(
      installView(
        await market.rollback(deps(c), c.get("principal").tenantId, c.req.valid("param").id),
        apiOrigin(c),
      ),
      200,
    ),
);

marketplaceRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/plugins/installs/{id}/auto-upgrade",
    tags,
    summary: "Take new patch versions of the same minor by themselves (never one asking for more)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, ...jsonBody(z.object({ autoUpgrade: z.boolean() })) },
    responses: { 200: jsonResponse(installSchema, "Saved"), ...errors },
  }),
  async (c) =>
    c.json(
      installView(
        await installs.setAutoUpgrade(
          c.get("db"),
          c.get("principal").tenantId,
          c.req.valid("param").id,
          c.req.valid("json").autoUpgrade,
        ),
        apiOrigin(c),
      ),
      200,
    ),
);
