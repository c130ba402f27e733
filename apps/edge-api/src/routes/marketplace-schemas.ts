import { VERSION_STATUSES } from "@autopilot/db";
import { PLUGIN_CATEGORIES } from "@autopilot/sdk";
import { z } from "@hono/zod-openapi";

// What the marketplace routes (developer, staff, workspace) take and give.

const words = z.array(z.object({ permission: z.string(), text: z.string() }));
export const category = z.enum(PLUGIN_CATEGORIES);
export const pluginIdParams = z.object({
  publisher: z.string().regex(/^[a-z0-9][a-z0-9-]{1,38}$/),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
});
/** "publisher/name" from the route's params. */
export const pluginIdOf = (p: { publisher: string; name: string }) => `${p.publisher}/${p.name}`;

export const versionParams = pluginIdParams.extend({
  version: z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/),
});

export const profileInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    website: z
      .url({ protocol: /^https?$/ })
      .max(300)
      .nullable()
      .optional(),
    supportEmail: z.email().max(254),
  })
  .openapi("DeveloperProfileInput");

export const profileSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    website: z.string().nullable(),
    supportEmail: z.string(),
    verified: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("DeveloperProfile");

export const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("DeveloperToken");

export const checkSchema = z.object({
  id: z.string(),
  title: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});

export const versionSchema = z
  .object({
    pluginId: z.string(),
    version: z.string(),
    name: z.string(),
    description: z.string(),
    kinds: z.array(z.string()),
    status: z.enum(VERSION_STATUSES),
    checks: z.array(checkSchema),
    risk: z.string(),
    permissions: words,
    hosts: z.array(z.string()),
    changelog: z.string(),
    reason: z.string().nullable(),
    bytes: z.number(),
    createdAt: z.string(),
    reviewedAt: z.string().nullable(),
    publishedAt: z.string().nullable(),
  })
  .openapi("PluginVersion");

export const developerPluginSchema = z
  .object({
    pluginId: z.string(),
    category: z.string(),
    installs: z.number(),
    versions: z.array(versionSchema.extend({ installs: z.number() })),
    errors: z.array(
      z.object({
        pluginId: z.string(),
        version: z.string(),
        code: z.string(),
        failures: z.number(),
        installs: z.number(),
        lastAt: z.string(),
      }),
    ),
  })
  .openapi("DeveloperPlugin");

export const yankBody = z.object({ reason: z.string().trim().min(3).max(500) });
export const yankedSchema = versionSchema.extend({ pausedInstalls: z.number() }).openapi("YankedVersion");

export const reviewItemSchema = versionSchema
  .extend({
    readme: z.string(),
    developer: z.object({ userId: z.uuid(), name: z.string(), verified: z.boolean() }),
  })
  .openapi("ReviewItem");

const publisher = z.object({ name: z.string(), verified: z.boolean() });
export const listingSummarySchema = z
  .object({
    pluginId: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    kinds: z.array(z.string()),
    latestVersion: z.string(),
    publisher,
    installs: z.number(),
    risk: z.string(),
  })
  .openapi("ListingSummary");

export const listingSchema = listingSummarySchema
  .extend({
    readme: z.string(),
    permissions: words,
    hosts: z.array(z.string()),
    riskWords: z.string(),
    configSchema: z.record(z.string(), z.unknown()),
    publisher: publisher.extend({ website: z.string().nullable(), supportEmail: z.string() }),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.string(),
        changelog: z.string(),
        publishedAt: z.string().nullable(),
        permissions: words,
        hosts: z.array(z.string()),
      }),
    ),
  })
  .openapi("Listing");

export const upgradePreviewSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    available: z.boolean(),
    changelog: z.string(),
    addedPermissions: z.array(z.string()),
    removedPermissions: z.array(z.string()),
    addedHosts: z.array(z.string()),
    removedHosts: z.array(z.string()),
    needsConsent: z.boolean(),
  })
  .openapi("UpgradePreview");
