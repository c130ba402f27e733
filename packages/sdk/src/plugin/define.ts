import type { AppEvent } from "../events/catalog.js";
import type { PluginContext } from "./capabilities.js";
import type { OutboundMessage, SendResult } from "./channel.js";
import { buildContext } from "./context.js";
import type { InboundEmail } from "./email.js";
import { type Manifest, type ManifestInput, ManifestSchema } from "./manifest.js";
import type { Permission } from "./permissions.js";
import { type CallContext, type HostApi, PluginCall, type PluginResult, type ReportAnswer } from "./wire.js";

// definePlugin: a plugin's manifest and its handlers, typed from the manifest, so a handler's `ctx`
// holds only what the manifest's permissions open and `actions` must name the declared actions.

/** What a schedule's run may answer: run again in `afterSeconds` (1 to 900, default 1), not a period later. */
export type ScheduleOutcome = { again?: boolean; afterSeconds?: number };

type PermissionsOf<M extends ManifestInput> = M["permissions"] extends readonly (infer P)[]
  ? P & Permission
  : never;
type Names<L> = L extends readonly { name: infer N }[] ? N & string : never;
type Ids<L> = L extends readonly { id: infer N }[] ? N & string : never;

export type WebhookRequest = { method: string; url: string; headers: Record<string, string>; body: string };
export type WebhookResponse = { status: number; body?: string; contentType?: string };

export type PluginDefinition<M extends ManifestInput> = {
  manifest: M;
  onEvent?: (event: AppEvent, ctx: PluginContext<PermissionsOf<M>>) => Promise<void>;
  actions?: {
    [N in Names<M["actions"]>]: (input: unknown, ctx: PluginContext<PermissionsOf<M>>) => Promise<unknown>;
  };
  onWebhook?: (
    name: Names<M["webhooks"]>,
    request: WebhookRequest,
    ctx: PluginContext<PermissionsOf<M>>,
  ) => Promise<WebhookResponse>;
  /** May answer `{ again: true, afterSeconds? }`: work is left (a backfill), run again soon rather than a period later. */
  onSchedule?: (
    name: Names<M["schedules"]>,
    ctx: PluginContext<PermissionsOf<M>>,
  ) => Promise<void | ScheduleOutcome>;
  reports?: {
    [I in Ids<M["reports"]>]: (
      parameters: unknown,
      ctx: PluginContext<PermissionsOf<M>>,
    ) => Promise<ReportAnswer>;
  };
  /**
   * After an install, an upgrade or a settings change, with the public URL of each declared webhook:
   * register them with the provider here (Telegram's setWebhook, a CRM's subscription).
   */
  onInstall?: (
    info: { hooks: Record<string, string> },
    ctx: PluginContext<PermissionsOf<M>>,
  ) => Promise<void>;
  /** A channel plugin's way out: every bot and agent reply of its conversations comes here. */
  channel?: {
    send(message: OutboundMessage, ctx: PluginContext<PermissionsOf<M>>): Promise<SendResult>;
    /**
     * An email channel's way in (manifest `channel.id` "email"): each message delivered to the
     * workspace's inbound address, at least once (a repeat has the same messageId).
     */
    receiveEmail?(email: InboundEmail, ctx: PluginContext<PermissionsOf<M>>): Promise<void>;
  };
};

export type Plugin = {
  manifest: Manifest;
  /** Runs one call from the host: the handler's value, or its failure as a result (never a throw). */
  invoke(call: unknown, context: CallContext, host: HostApi, fetcher?: typeof fetch): Promise<PluginResult>;
};

export class PluginError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function definePlugin<const M extends ManifestInput>(definition: PluginDefinition<M>): Plugin {
  const manifest = ManifestSchema.parse(definition.manifest);
  const d = definition as unknown as PluginDefinition<ManifestInput> & {
    actions?: Record<string, (input: unknown, ctx: unknown) => Promise<unknown>>;
    reports?: Record<string, (parameters: unknown, ctx: unknown) => Promise<unknown>>;
  };
  const missing = (what: string): never => {
    throw new PluginError("not_handled", `this plugin does not handle ${what}`);
  };

  async function handle(raw: unknown, ctx: never): Promise<PluginResult> {
    try {
      const call = PluginCall.parse(raw);
      switch (call.kind) {
        case "event":
          if (!d.onEvent) return missing("events");
          await d.onEvent(call.event as AppEvent, ctx);
          return { ok: true, value: null };
        case "action": {
          const action = d.actions?.[call.name] ?? missing(`the action ${call.name}`);
          return { ok: true, value: await action(call.input, ctx) };
        }
        case "webhook":
          if (!d.onWebhook) return missing("webhooks");
          return { ok: true, value: await d.onWebhook(call.name as never, call.request, ctx) };
        case "schedule":
          if (!d.onSchedule) return missing("schedules");
          return { ok: true, value: (await d.onSchedule(call.name as never, ctx)) ?? null };
        case "report": {
          const report = d.reports?.[call.id] ?? missing(`the report ${call.id}`);
          return { ok: true, value: await report(call.parameters, ctx) };
        }
        case "install":
          // Nothing to set up is fine: most plugins have no provider to tell.
          if (d.onInstall) await d.onInstall({ hooks: call.hooks }, ctx);
          return { ok: true, value: null };
        case "send":
          if (!d.channel) return missing("sending");
          return { ok: true, value: await d.channel.send(call.message, ctx) };
        case "email":
          if (!d.channel?.receiveEmail) return missing("email");
          await d.channel.receiveEmail(call.email, ctx);
          return { ok: true, value: null };
      }
    } catch (error) {
      const code = error instanceof PluginError ? error.code : "plugin_error";
      return {
        ok: false,
        error: { code, message: String(error instanceof Error ? error.message : error).slice(0, 2000) },
      };
    }
  }

  return {
    manifest,
    // The global fetch, called as a plain function (workerd refuses a fetch bound to another object).
    async invoke(raw, context, host, fetcher = (input, init) => fetch(input, init)) {
      const { ctx, lines } = buildContext(host, context, manifest.permissions, fetcher);
      const result = await handle(raw, ctx as never);
      const logs = lines();
      return logs.length ? { ...result, logs } : result;
    },
  };
}
