import { z } from "zod";
import { EVENT_TYPES } from "../events/catalog.js";
import { PERMISSIONS } from "./permissions.js";

// A plugin's manifest: who it is, what it does (kinds), what it may touch (permissions), where it may
// connect (egress) and what it offers (actions, reports, webhooks, schedules). It is data (JSON in the
// packed file), checked by the CLI when building and by the host on every install and load.

export const PLUGIN_KINDS = ["channel", "sync", "action", "events", "report"] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** A public host name; one leading "*." label at most (no bare wildcards, no IP addresses). */
export const egressHost = z
  .string()
  .max(253)
  .regex(
    /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a host name such as api.example.com",
  );

/** A JSON Schema object (config, action input and output, report parameters). */
export const jsonSchema = z.record(z.string(), z.unknown());

export const ManifestSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{1,38}\/[a-z0-9][a-z0-9-]{1,63}$/,
        "publisher/name, lowercase letters, digits and -",
      ),
    name: z.string().trim().min(1).max(80),
    version: z.string().regex(SEMVER, "a semantic version such as 1.2.0"),
    /** The platform API range it was built for. */
    engine: z.string().trim().min(1).max(40),
    description: z.string().max(500).default(""),
    kinds: z.array(z.enum(PLUGIN_KINDS)).min(1).max(PLUGIN_KINDS.length),
    permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).default([]),
    egress: z.array(egressHost).max(20).default([]),
    config: jsonSchema.default({ type: "object", properties: {} }),
    subscriptions: z.array(z.enum(EVENT_TYPES)).max(50).default([]),
    actions: z
      .array(
        z.object({
          name: z.string().regex(NAME),
          title: z.string().trim().min(1).max(80),
          input: jsonSchema.default({ type: "object" }),
          output: jsonSchema.default({ type: "object" }),
        }),
      )
      .max(20)
      .default([]),
    reports: z
      .array(
        z.object({
          id: z.string().regex(NAME),
          title: z.string().trim().min(1).max(80),
          parameters: jsonSchema.default({ type: "object" }),
        }),
      )
      .max(20)
      .default([]),
    webhooks: z
      .array(z.object({ name: z.string().regex(NAME) }))
      .max(10)
      .default([]),
    schedules: z
      .array(z.object({ name: z.string().regex(NAME), everyMinutes: z.number().int().min(5).max(1440) }))
      .max(10)
      .default([]),
    /** A channel plugin's channel: its conversations carry this id (the inbox's icon, the channel mix). */
    channel: z
      .object({
        id: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, "a short lowercase id such as telegram"),
        name: z.string().trim().min(1).max(40),
      })
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) ctx.addIssue({ code: "custom", path: [path], message });
    };
    need(
      m.subscriptions.length === 0 || m.permissions.includes("events:subscribe"),
      "subscriptions",
      "subscribing to events needs the events:subscribe permission",
    );
    need(
      !m.kinds.includes("action") || m.actions.length > 0,
      "actions",
      "an action plugin declares its actions",
    );
    need(
      !m.kinds.includes("report") || m.reports.length > 0,
      "reports",
      "a report plugin declares its reports",
    );
    // A report shows the workspace's figures, or the plugin's own state (a sync's status).
    need(
      !m.kinds.includes("report") ||
        m.permissions.includes("analytics:read") ||
        m.permissions.includes("storage"),
      "permissions",
      "a report plugin needs analytics:read (or storage, for a report on its own state)",
    );
    need(
      m.kinds.includes("channel") === (m.channel !== undefined),
      "channel",
      "a channel plugin (kind channel) declares its channel, and only a channel plugin does",
    );
    need(
      !m.kinds.includes("channel") || m.permissions.includes("conversations:write"),
      "permissions",
      "a channel plugin needs conversations:write",
    );
    need(
      m.channel === undefined || !["web", "api", "widget"].includes(m.channel.id),
      "channel",
      "web, api and widget are the platform's own channels",
    );
    for (const key of ["actions", "reports", "webhooks", "schedules"] as const) {
      const names = m[key].map((x) => ("name" in x ? x.name : x.id));
      need(new Set(names).size === names.length, key, `${key} must have distinct names`);
    }
  });

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;
