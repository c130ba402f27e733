import {
  applyRemoteContact,
  contactSyncHandlers,
  definePlugin,
  loadSyncState,
  PluginError,
  remoteContactDeleted,
  saveSyncState,
  syncOptionsOf,
} from "@autopilot/sdk";
import { hubspot, hubspotProvider } from "./hubspot.js";
import { signatureProblem } from "./signature.js";

// HubSpot as the other CRM: contacts flow both ways (a private app's token), HubSpot's changes also
// arrive at once through its webhooks (signature v3). Written only against the SDK: its contact sync
// runs on HubSpot's provider (hubspot.ts); ctx.sync keeps which contact is which.

type Config = { accessToken: string; clientSecret?: string; apiBaseUrl?: string };

const rule = {
  type: "string",
  enum: ["newest", "hubspot", "autopilot"],
  default: "newest",
} as const;

/** The sync's rules as the install's settings say. */
export const syncOptions = (config: Record<string, unknown>) => syncOptionsOf(config, "hubspot");
const providerOf = (ctx: { config: Record<string, unknown>; fetch: typeof fetch }) =>
  hubspotProvider(hubspot(ctx.config as Config, ctx.fetch));

export default definePlugin({
  manifest: {
    id: "autopilot/hubspot",
    name: "HubSpot sync",
    version: "1.1.0",
    engine: "^1.2.0",
    description:
      "Keeps your contacts the same in AutopilotCRM and HubSpot, both ways, with a rule per field for conflicts.",
    kinds: ["sync", "action", "report"],
    permissions: ["contacts:read", "contacts:write", "sync", "storage"],
    egress: ["api.hubapi.com"],
    webhooks: [{ name: "events" }],
    schedules: [{ name: "sync", everyMinutes: 5 }],
    actions: [
      { name: "sync_now", title: "Sync now" },
      { name: "retry_errors", title: "Retry the records that failed" },
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
            "HubSpot → Settings → Integrations → Private apps, with the crm.objects.contacts read and write scopes.",
          minLength: 8,
          secret: true,
        },
        clientSecret: {
          type: "string",
          title: "App client secret",
          description: "Only for HubSpot's webhooks: their signatures are checked with it.",
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
            "mirror: a contact deleted here is archived in HubSpot, and one deleted in HubSpot is tagged deleted-in-hubspot here.",
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

  ...contactSyncHandlers(providerOf, syncOptions),

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
    let events: { subscriptionType?: string; objectId?: number | string }[];
    try {
      events = JSON.parse(request.body);
      if (!Array.isArray(events)) throw new Error("not a list");
    } catch {
      return { status: 400, body: "a list of events expected" };
    }
    const provider = providerOf(ctx);
    const options = syncOptions(ctx.config);
    for (const e of events.slice(0, 100)) {
      const id = String(e.objectId ?? "");
      if (!id) continue;
      if (e.subscriptionType === "contact.deletion") {
        await remoteContactDeleted(ctx, provider, options.deletions, id);
      } else if (
        e.subscriptionType === "contact.creation" ||
        e.subscriptionType === "contact.propertyChange"
      ) {
        // HubSpot retries what is not answered 2xx: a failure here is thrown, and it comes again.
        try {
          const record = await provider.get(id);
          if (record) await applyRemoteContact(ctx, provider, options.rules, record);
        } catch (error) {
          throw new PluginError("provider_down", String((error as Error).message));
        }
      }
    }
    return { status: 200, body: "ok" };
  },
});
