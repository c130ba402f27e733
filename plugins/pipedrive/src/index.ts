import {
  applyRemote,
  definePlugin,
  PluginError,
  parseStageMap,
  RETRY_RECORD_INPUT,
  remoteDeleted,
  sameSecret,
  syncHandlers,
  syncOptionsOf,
  syncRuleSettings,
  syncSetup,
} from "@autopilot/sdk";
import { pipedrive, pipedriveDeals, pipedriveOrganizations, pipedriveProvider } from "./pipedrive.js";

// Pipedrive as the other CRM: persons, organizations and deals kept the same as our contacts,
// companies and deals, both ways (an API token), Pipedrive's changes also arriving at once through
// its v2 webhooks, which are not signed: they carry the HTTP Basic credentials the admin set on the
// webhook. Written only against the SDK: its sync runs on Pipedrive's providers (pipedrive.ts).

type Config = {
  apiToken: string;
  apiBaseUrl?: string;
  webhookUser?: string;
  webhookPassword?: string;
  syncCompanies?: boolean;
  syncDeals?: boolean;
  stageMap?: string;
};

/** Our default pipeline's open stages and Pipedrive's (won and lost are a deal's status there). */
export const DEFAULT_STAGE_MAP =
  "New = Lead In, Qualified = Contact Made, Proposal = Proposal Made, Negotiation = Negotiations Started";

/** The sync's rules as the install's settings say. */
export const syncOptions = (config: Record<string, unknown>) => syncOptionsOf(config, "pipedrive");
/** The kinds of record this install syncs, each with Pipedrive's provider. */
export const setupOf = (ctx: { config: Record<string, unknown>; fetch: typeof fetch }) => {
  const c = ctx.config as Config;
  const api = pipedrive(c, ctx.fetch);
  return syncSetup({
    contact: pipedriveProvider(api),
    ...(c.syncCompanies !== false ? { company: pipedriveOrganizations(api) } : {}),
    ...(c.syncDeals !== false
      ? { deal: pipedriveDeals(api, parseStageMap(c.stageMap ?? DEFAULT_STAGE_MAP)) }
      : {}),
  });
};
/** Webhook entities and the kinds of record they are. */
const KIND_OF = { person: "contact", organization: "company", deal: "deal" } as const;

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
    version: "1.1.0",
    engine: "^1.4.0",
    description:
      "Keeps your contacts, companies and deals and Pipedrive's persons, organizations and deals the same, both ways, with a rule per field for conflicts.",
    kinds: ["sync", "action", "report"],
    permissions: [
      "contacts:read",
      "contacts:write",
      "companies:read",
      "companies:write",
      "deals:read",
      "deals:write",
      "sync",
      "storage",
    ],
    egress: ["*.pipedrive.com"],
    webhooks: [{ name: "events" }],
    schedules: [{ name: "sync", everyMinutes: 5 }],
    actions: [
      { name: "sync_now", title: "Sync now" },
      { name: "retry_errors", title: "Retry the records that failed" },
      { name: "retry_record", title: "Retry one record", input: RETRY_RECORD_INPUT },
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
        ...syncRuleSettings("pipedrive", "Pipedrive"),
        syncCompanies: { type: "boolean", default: true, title: "Sync organizations" },
        syncDeals: { type: "boolean", default: true, title: "Sync deals" },
        stageMap: {
          type: "string",
          title: "Deal stages",
          description:
            "Your stage = Pipedrive's, comma-separated. Won and lost travel as the deal's status; a stage not named here goes by the same name.",
          default: DEFAULT_STAGE_MAP,
          maxLength: 2000,
        },
        deletions: {
          type: "string",
          enum: ["keep", "mirror"],
          default: "keep",
          title: "Deletions",
          description:
            "mirror: a record deleted here is deleted in Pipedrive; a person or organization deleted in Pipedrive is tagged deleted-in-pipedrive here, a deal is marked lost.",
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

  ...syncHandlers(setupOf, syncOptions),

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
    const s = setupOf(ctx)[KIND_OF[entity as keyof typeof KIND_OF]];
    if (!s || entity_id === undefined || entity_id === null) return { status: 200, body: "ignored" };
    const options = syncOptions(ctx.config);
    const id = String(entity_id);
    try {
      if (action === "delete") await remoteDeleted(ctx, s.kind, s.provider, options.deletions, id);
      else if (action === "create" || action === "change") {
        // Read as Pipedrive has it now: webhooks may arrive out of order, and a retry may be stale.
        const record = await s.provider.get(id);
        if (!record) await remoteDeleted(ctx, s.kind, s.provider, options.deletions, id);
        else if (!record.fields)
          return { status: 200, body: `this ${entity} cannot be synced (${s.kind.incomplete})` };
        else await applyRemote(ctx, s.kind, s.provider, options.rules, record);
      }
    } catch (error) {
      // Pipedrive retries what is not answered 2xx: a failure here is thrown, and it comes again.
      throw new PluginError("provider_down", String((error as Error).message));
    }
    return { status: 200, body: "ok" };
  },
});
