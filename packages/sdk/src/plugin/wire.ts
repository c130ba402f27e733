import { z } from "zod";
import { OutboundMessage } from "./channel.js";
import { InboundEmail } from "./email.js";

// What crosses the sandbox boundary, both ways, validated on both sides: the host calls a plugin's
// `invoke(call)` and gets a PluginResult; the plugin calls the host's `call(capability, method, args)`.

export const PluginCall = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event"), event: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal("action"), name: z.string(), input: z.unknown() }),
  z.object({
    kind: z.literal("webhook"),
    name: z.string(),
    request: z.object({
      method: z.string(),
      /** The path and query the provider called (its verification handshakes live in the query). */
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.string(),
    }),
  }),
  z.object({ kind: z.literal("schedule"), name: z.string() }),
  z.object({ kind: z.literal("report"), id: z.string(), parameters: z.unknown() }),
  z.object({ kind: z.literal("send"), message: OutboundMessage }),
  /** After an install, an upgrade or a settings change: where its webhooks are (to register them). */
  z.object({ kind: z.literal("install"), hooks: z.record(z.string(), z.string()) }),
  /** An email channel's inbound mail, received at the workspace's address and parsed by the host. */
  z.object({ kind: z.literal("email"), email: InboundEmail }),
]);
export type PluginCall = z.infer<typeof PluginCall>;

/** A webhook handler's answer, sent back to the provider as it is. */
export const WebhookReply = z.object({
  status: z.number().int().min(200).max(599),
  body: z
    .string()
    .max(64 * 1024)
    .optional(),
  contentType: z.string().max(100).optional(),
});
export type WebhookReply = z.infer<typeof WebhookReply>;

/**
 * A report plugin's answer (kind "report"): rows of plain values, and optionally how to chart them —
 * a bar or line chart of some numeric columns against one column. The dashboard draws it; nothing
 * of the plugin's runs in the page.
 */
export const ReportAnswer = z
  .object({
    rows: z
      .array(z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.null()])))
      .max(5000),
    chart: z
      .object({
        type: z.enum(["bar", "line"]),
        x: z.string().max(64),
        y: z.array(z.string().max(64)).min(1).max(6),
      })
      .optional(),
  })
  .superRefine((r, ctx) => {
    const columns = new Set(r.rows.flatMap((row) => Object.keys(row)));
    if (r.chart && r.rows.length > 0)
      for (const column of [r.chart.x, ...r.chart.y])
        if (!columns.has(column))
          ctx.addIssue({
            code: "custom",
            path: ["chart"],
            message: `chart: no column ${column} in the rows`,
          });
  });
export type ReportAnswer = z.infer<typeof ReportAnswer>;

/** The install the call is for: its settings (secrets included, for the plugin's own use). */
export const CallContext = z.object({ installId: z.uuid(), config: z.record(z.string(), z.unknown()) });
export type CallContext = z.infer<typeof CallContext>;

/** A plugin's answer: a value, or its own error (a thrown error becomes `plugin_error`). */
/** A line a handler logged (ctx.log), returned with its call's result. */
export const LogLine = z.object({
  level: z.enum(["info", "warn", "error"]),
  message: z.string().max(2000),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type LogLine = z.infer<typeof LogLine>;
const logs = z.array(LogLine).max(101).optional();

export const PluginResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown(), logs }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string().max(64), message: z.string().max(2000) }),
    logs,
  }),
]);
export type PluginResult = z.infer<typeof PluginResult>;

/** What a plugin's Worker exposes (its default export, a WorkerEntrypoint). */
export interface PluginWorker {
  invoke(call: PluginCall, context: CallContext): Promise<PluginResult>;
}

/** The host's side, as the plugin sees it in `env.API`. */
export interface HostApi {
  call(capability: string, method: string, args: unknown): Promise<unknown>;
}
