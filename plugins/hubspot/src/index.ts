import {
  applyRemote,
  definePlugin,
  loadSyncState,
  PluginError,
  parseStageMap,
  RETRY_RECORD_INPUT,
  remoteDeleted,
  saveSyncState,
  syncHandlers,
  syncOptionsOf,
  syncRuleSettings,
  syncSetup,
} from "@autopilot/sdk";
import { hubspot, hubspotCompanies, hubspotDeals, hubspotProvider } from "./hubspot.js";
import { signatureProblem } from "./signature.js";

// HubSpot as the other CRM: contacts, companies and deals flow both ways (a private app's token),
// HubSpot's changes also arrive at once through its webhooks (signature v3). Written only against the
// SDK: its sync runs on HubSpot's providers (hubspot.ts); ctx.sync keeps which record is which.

type Config = {
  accessToken: string;
  clientSecret?: string;
  apiBaseUrl?: string;
  syncCompanies?: boolean;
  syncDeals?: boolean;
  stageMap?: string;
};

/** Our default pipeline's stages and HubSpot's, as both come. */
export const DEFAULT_STAGE_MAP =
  "New = Appointment Scheduled, Qualified = Qualified To Buy, Proposal = Presentation Scheduled, Negotiation = Contract Sent, Won = Closed Won, Lost = Closed Lost";

/** The sync's rules as the install's settings say. */
export const syncOptions = (config: Record<string, unknown>) => syncOptionsOf(config, "hubspot");
/** The kinds of record this install syncs, each with HubSpot's provider. */
export const setupOf = (ctx: { config: Record<string, unknown>; fetch: typeof fetch }) => {
  const c = ctx.config as Config;
  const api = hubspot(c, ctx.fetch);
  return syncSetup({
    contact: hubspotProvider(api),
    ...(c.syncCompanies !== false ? { company: hubspotCompanies(api) } : {}),
    ...(c.syncDeals !== false
      ? { deal: hubspotDeals(api, parseStageMap(c.stageMap ?? DEFAULT_STAGE_MAP)) }
      : {}),
  });
};
const OBJECT_OF = { contact: "contact", company: "company", deal: "deal" } as const;

export default definePlugin({
  manifest: {
    id: "autopilot/hubspot",
    name: "HubSpot sync",
    version: "1.2.0",
    engine: "^1.4.0",
    description:
      "Keeps your contacts, companies and deals the same in AutopilotCRM and HubSpot, both ways, with a rule per field for conflicts.",
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
    egress: ["api.hubapi.com"],
    webhooks: [{ name: "events" }],
    schedules: [{ name: "sync", everyMinutes: 5 }],
    actions: [
      { name: "sync_now", title: "Sync now" },
      { name: "retry_errors", title: "Retry the records that failed" },
      { name: "retry_record", title: "Retry one record", input: RETRY_RECORD_INPUT },
    ],
    reports: [{ id: "sync_status", title: "HubSpot sync" }],
    config: {
      type: "object",
      required: ["accessToken"],
      properties: {
        accessToken: {
          type: "string",
          title: "Private app access token",
          description:
            "HubSpot → Settings → Integrations → Private apps, with read and write scopes for crm.objects.contacts, crm.objects.companies and crm.objects.deals.",
          minLength: 8,
          secret: true,
        },
        clientSecret: {
          type: "string",
          title: "App client secret",
          description: "Only for HubSpot's webhooks: their signatures are checked with it.",
          secret: true,
        },
        ...syncRuleSettings("hubspot", "HubSpot"),
        syncCompanies: { type: "boolean", default: true, title: "Sync companies" },
        syncDeals: { type: "boolean", default: true, title: "Sync deals" },
        stageMap: {
          type: "string",
          title: "Deal stages",
          description:
            "Your stage = HubSpot's, comma-separated. A stage not named here goes by the same name, else by open, won or lost.",
          default: DEFAULT_STAGE_MAP,
          maxLength: 2000,
        },
        deletions: {
          type: "string",
          enum: ["keep", "mirror"],
          default: "keep",
          title: "Deletions",
          description:
            "mirror: a record deleted here is archived in HubSpot; a contact or company deleted in HubSpot is tagged deleted-in-hubspot here, a deal is marked lost.",
        },
        apiBaseUrl: {
          type: "string",
          format: "uri",
          title: "HubSpot API",
          description: "Leave as it is, unless you try it against a local fake.",
          default: "https://api.hubapi.com",
        },
      },
    },
  },

  // Keeps the events webhook's URL: HubSpot signs the full URI.
  async onInstall({ hooks }, ctx) {
    const state = await loadSyncState(ctx.storage);
    state.hookUrl = hooks.events ?? null;
    await saveSyncState(ctx.storage, state);
  },

  ...syncHandlers(setupOf, syncOptions),

  async onWebhook(_name, request, ctx) {
    if (request.method !== "POST") return { status: 405, body: "POST only" };
    const c = ctx.config as Config;
    if (!c.clientSecret) return { status: 401, body: "no client secret set: webhooks are not taken" };
    const state = await loadSyncState(ctx.storage);
    const origin = state.hookUrl ? new URL(state.hookUrl).origin : "";
    const problem = await signatureProblem(c.clientSecret, {
      method: request.method,
      uri: `${origin}${request.url}`,
      body: request.body,
      signature: request.headers["x-hubspot-signature-v3"],
      timestamp: request.headers["x-hubspot-request-timestamp"],
    });
    if (problem) {
      ctx.log.warn("HubSpot webhook refused", { problem });
      return { status: 401, body: problem };
    }
    let events: {
      subscriptionType?: string;
      objectId?: number | string;
      /** An associationChange names the record it is from (a contact's company: the contact). */
      fromObjectId?: number | string;
    }[];
    try {
      events = JSON.parse(request.body);
      if (!Array.isArray(events)) throw new Error("not a list");
    } catch {
      return { status: 400, body: "a list of events expected" };
    }
    const setup = setupOf(ctx);
    const options = syncOptions(ctx.config);
    for (const e of events.slice(0, 100)) {
      const id = String(e.objectId ?? e.fromObjectId ?? "");
      const [object, change] = String(e.subscriptionType ?? "").split(".");
      const s = setup[OBJECT_OF[object as keyof typeof OBJECT_OF]];
      if (!id || !s) continue;
      if (change === "deletion") {
        await remoteDeleted(ctx, s.kind, s.provider, options.deletions, id);
      } else if (change === "creation" || change === "propertyChange" || change === "associationChange") {
        // HubSpot retries what is not answered 2xx: a failure here is thrown, and it comes again.
        try {
          const record = await s.provider.get(id);
          if (record) await applyRemote(ctx, s.kind, s.provider, options.rules, record);
        } catch (error) {
          throw new PluginError("provider_down", String((error as Error).message));
        }
      }
    }
    return { status: 200, body: "ok" };
  },
});
