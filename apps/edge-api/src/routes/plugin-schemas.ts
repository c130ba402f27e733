import { z } from "@hono/zod-openapi";
import { MAX_BUNDLE_BYTES } from "../plugins/bundles.js";

// What the plugin routes take and give. A packed plugin is what `autopilot-plugin pack` writes.

export const packedPlugin = z
  .object({
    format: z.literal(1),
    manifest: z.record(z.string(), z.unknown()),
    bundle: z.string().min(1).max(MAX_BUNDLE_BYTES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    readme: z.string().max(100_000).default(""),
    /** The plugin's review checks (checks.json), run by the marketplace's review. */
    checks: z.array(z.record(z.string(), z.unknown())).max(50).default([]),
    changelog: z.string().max(5_000).default(""),
  })
  .openapi("PackedPlugin");

export const grantSchema = z
  .object({ permissions: z.array(z.string().max(40)).max(20), hosts: z.array(z.string().max(253)).max(20) })
  .openapi("PluginGrant");

export const installSchema = z
  .object({
    id: z.uuid(),
    pluginId: z.string(),
    name: z.string(),
    version: z.string(),
    description: z.string(),
    kinds: z.array(z.string()),
    /** A channel plugin's channel (its conversations show it); null for other plugins. */
    channel: z.object({ id: z.string(), name: z.string() }).nullable(),
    status: z.enum(["active", "paused"]),
    pausedReason: z.string().nullable(),
    permissions: z.array(z.object({ permission: z.string(), text: z.string() })),
    hosts: z.array(z.string()),
    configSchema: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()),
    secretsSet: z.array(z.string()),
    actions: z.array(
      z.object({ name: z.string(), title: z.string(), input: z.record(z.string(), z.unknown()) }),
    ),
    subscriptions: z.array(z.string()),
    reports: z.array(
      z.object({ id: z.string(), title: z.string(), parameters: z.record(z.string(), z.unknown()) }),
    ),
    /** Where its provider sends webhooks (enter it in the provider's settings where it asks). */
    webhooks: z.array(z.object({ name: z.string(), url: z.string() })),
    source: z.enum(["private", "marketplace"]),
    autoUpgrade: z.boolean(),
    previousVersion: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("PluginInstall");

export const inspectionSchema = z
  .object({
    manifest: z.record(z.string(), z.unknown()),
    permissions: z.array(z.object({ permission: z.string(), text: z.string() })),
    hosts: z.array(z.string()),
    secretFields: z.array(z.string()),
    bytes: z.number(),
  })
  .openapi("PluginInspection");

export const deliverySchema = z
  .object({
    eventId: z.uuid(),
    eventType: z.string(),
    status: z.string(),
    attempts: z.number(),
    lastError: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("PluginDelivery");

export const callSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    name: z.string().nullable(),
    ok: z.boolean(),
    code: z.string().nullable(),
    error: z.string().nullable(),
    ms: z.number(),
    logs: z.array(z.unknown()),
    createdAt: z.string(),
  })
  .openapi("PluginCall");

export const reportAnswerSchema = z
  .object({
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    chart: z.object({ type: z.enum(["bar", "line"]), x: z.string(), y: z.array(z.string()) }).optional(),
  })
  .openapi("PluginReport");

export const pluginReportSchema = z
  .object({
    installId: z.uuid(),
    pluginId: z.string(),
    pluginName: z.string(),
    id: z.string(),
    title: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  })
  .openapi("InstalledPluginReport");
