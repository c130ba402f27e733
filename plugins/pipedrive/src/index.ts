import {
  applyRemoteContact,
  contactSyncHandlers,
  definePlugin,
  PluginError,
  remoteContactDeleted,
  sameSecret,
  syncOptionsOf,
} from "@autopilot/sdk";
import { pipedrive, pipedriveProvider } from "./pipedrive.js";

// Pipedrive as the other CRM: persons and contacts kept the same both ways (an API token), Pipedrive's
// changes also arriving at once through its v2 webhooks, which are not signed: they carry the HTTP
// Basic credentials the admin set on the webhook. Written only against the SDK: its contact sync runs
// on Pipedrive's provider (pipedrive.ts).

type Config = { apiToken: string; apiBaseUrl?: string; webhookUser?: string; webhookPassword?: string };

const rule = {
  type: "string",
  enum: ["newest", "pipedrive", "autopilot"],
  default: "newest",
} as const;

/** The sync's rules as the install's settings say. */
export const syncOptions = (config: Record<string, unknown>) => syncOptionsOf(config, "pipedrive");
const providerOf = (ctx: { config: Record<string, unknown>; fetch: typeof fetch }) =>
  pipedriveProvider(pipedrive(ctx.config as Config, ctx.fetch));

/** Whether the request carries the Basic credentials set on the webhook (compared in constant time). */
function basicAuthProblem(header: string | undefined, c: Config): string | null {
  if (!c.webhookPassword) return "no webhook password set: webhooks are not taken";
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!m?.[1]) return "HTTP Basic credentials expected";
  let decoded: string;
  try {
    decoded = atob(m[1]);
  } catch {
    return "HTTP Basic credentials expected";
  }
  const expected = `${c.webhookUser ?? "pipedrive"}:${c.webhookPassword}`;
  return sameSecret(decoded, expected) ? null : "wrong credentials";
}

type WebhookV2 = {
  meta?: { action?: string; entity?: string; entity_id?: string | number; id?: string; attempt?: number };
  data?: unknown;
  previous?: unknown;
};

export default definePlugin({
  manifest: {
    id: "autopilot/pipedrive",
    name: "Pipedrive sync",
    version: "1.0.0",
    engine: "^1.3.0",
    description:
      "Keeps your contacts and Pipedrive's persons the same, both ways, with a rule per field for conflicts.",
    kinds: ["sync", "action", "report"],
    permissions: ["contacts:read", "contacts:write", "sync", "storage"],
    egress: ["*.pipedrive.com"],
    webhooks: [{ name: "events" }],
    schedules: [{ name: "sync", everyMinutes: 5 }],
    actions: [
      { name: "sync_now", title: "Sync now" },
      { name: "retry_errors", title: "Retry the records that failed" },
    ],
    reports: [{ id: "sync_status", title: "Pipedrive sync" }],
    config: {
      type: "object",
      required: ["apiToken"],
      properties: {
        apiToken: {
          type: "string",
          title: "API token",
          description: "Pipedrive → Personal preferences → API. The sync acts as this user.",
          minLength: 8,
          secret: true,
        },
        webhookUser: {
          type: "string",
          title: "Webhook user name",
          description: "The HTTP auth user name you give the webhook in Pipedrive (Tools → Webhooks).",
          default: "pipedrive",
        },
        webhookPassword: {
          type: "string",
          title: "Webhook password",
          description:
            "The HTTP auth password you give the webhook in Pipedrive. Without it, webhooks are refused and the sync runs every 5 minutes only.",
          minLength: 12,
          secret: true,
        },
        nameRule: {
          ...rule,
          title: "When the name differs",
          description: "newest: the side changed last wins.",
        },
        phoneRule: { ...rule, title: "When the phone differs" },
        deletions: {
          type: "string",
          enum: ["keep", "mirror"],
          default: "keep",
          title: "Deletions",
          description:
            "mirror: a contact deleted here is deleted in Pipedrive, and one deleted in Pipedrive is tagged deleted-in-pipedrive here.",
        },
        apiBaseUrl: {
          type: "string",
          format: "uri",
          title: "Pipedrive API",
          description:
            "Your company's address (https://yourcompany.pipedrive.com) or Pipedrive's; a local fake only to try it.",
          default: "https://api.pipedrive.com",
        },
      },
    },
  },

  ...contactSyncHandlers(providerOf, syncOptions),

  async onWebhook(_name, request, ctx) {
    if (request.method !== "POST") return { status: 405, body: "POST only" };
    const c = ctx.config as Config;
    const problem = basicAuthProblem(request.headers.authorization, c);
    if (problem) {
      ctx.log.warn("Pipedrive webhook refused", { problem });
      return { status: 401, body: problem };
    }
    let event: WebhookV2;
    try {
      event = JSON.parse(request.body);
    } catch {
      return { status: 400, body: "JSON expected" };
    }
    const { action, entity, entity_id } = event?.meta ?? {};
    if (!action || !entity)
      return { status: 400, body: "a version 2.0 webhook expected (meta.action, meta.entity)" };
    if (entity !== "person" || entity_id === undefined || entity_id === null)
      return { status: 200, body: "ignored" };
    const provider = providerOf(ctx);
    const options = syncOptions(ctx.config);
    const id = String(entity_id);
    try {
      if (action === "delete") await remoteContactDeleted(ctx, provider, options.deletions, id);
      else if (action === "create" || action === "change") {
        // Read as Pipedrive has it now: webhooks may arrive out of order, and a retry may be stale.
        const record = await provider.get(id);
        if (!record) await remoteContactDeleted(ctx, provider, options.deletions, id);
        else if (!record.fields) return { status: 200, body: "a person without an email is not synced" };
        else await applyRemoteContact(ctx, provider, options.rules, record);
      }
    } catch (error) {
      // Pipedrive retries what is not answered 2xx: a failure here is thrown, and it comes again.
      throw new PluginError("provider_down", String((error as Error).message));
    }
    return { status: 200, body: "ok" };
  },
});
