import { definePlugin, PluginError } from "@autopilot/sdk";
import { hubspot } from "./hubspot.js";
import { signatureProblem } from "./signature.js";
import { applyRemote, type Deletions, loadState, type Rules, runSync, saveState } from "./sync.js";

// HubSpot as the other CRM: contacts flow both ways (a private app's token), HubSpot's changes also
// arrive at once through its webhooks (signature v3). Written only against the SDK: ctx.sync keeps
// which contact is which, ctx.contacts.changes says what changed here.

type Config = {
  accessToken: string;
  clientSecret?: string;
  apiBaseUrl?: string;
  nameRule?: Rules["name"];
  phoneRule?: Rules["phone"];
  deletions?: Deletions;
};

const rule = {
  type: "string",
  enum: ["newest", "hubspot", "autopilot"],
  default: "newest",
} as const;

const rulesOf = (c: Config): Rules => ({ name: c.nameRule ?? "newest", phone: c.phoneRule ?? "newest" });
const apiOf = (ctx: { config: Record<string, unknown>; fetch: typeof fetch }) =>
  hubspot(ctx.config as Config, ctx.fetch);

export default definePlugin({
  manifest: {
    id: "autopilot/hubspot",
    name: "HubSpot sync",
    version: "1.0.0",
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
    const state = await loadState(ctx.storage);
    state.hookUrl = hooks.events ?? null;
    await saveState(ctx.storage, state);
  },

  async onSchedule(_name, ctx) {
    const c = ctx.config as Config;
    const out = await runSync(ctx, apiOf(ctx), { rules: rulesOf(c), deletions: c.deletions ?? "keep" });
    ctx.log.info("sync run", out);
  },

  actions: {
    async sync_now(_input, ctx) {
      const c = ctx.config as Config;
      return runSync(ctx, apiOf(ctx), {
        rules: rulesOf(c),
        deletions: c.deletions ?? "keep",
        now: Date.now(),
      });
    },
    async retry_errors(_input, ctx) {
      const state = await loadState(ctx.storage);
      state.pausedUntil = 0;
      await saveState(ctx.storage, state);
      const c = ctx.config as Config;
      return runSync(ctx, apiOf(ctx), { rules: rulesOf(c), deletions: c.deletions ?? "keep" });
    },
  },

  reports: {
    async sync_status(_parameters, ctx) {
      const s = await loadState(ctx.storage);
      const row = (what: string, value: string | number | null) => ({ what, value });
      return {
        rows: [
          row("Last run", s.lastRun?.at ?? "never"),
          row("Up to date", s.lastRun ? (s.lastRun.caughtUp ? "yes" : "catching up") : "not yet"),
          row("Contacts from HubSpot (all runs)", s.totals.pulled),
          row("Contacts to HubSpot (all runs)", s.totals.pushed),
          row("Archived in HubSpot", s.totals.archived),
          row(
            "Paused by HubSpot until",
            s.pausedUntil > Date.now() ? new Date(s.pausedUntil).toISOString() : null,
          ),
          ...s.errors.map((e) =>
            row(`Failed (${e.side === "pull" ? "from" : "to"} HubSpot): ${e.email ?? e.id}`, e.message),
          ),
        ],
      };
    },
  },

  async onWebhook(_name, request, ctx) {
    if (request.method !== "POST") return { status: 405, body: "POST only" };
    const c = ctx.config as Config;
    if (!c.clientSecret) return { status: 401, body: "no client secret set: webhooks are not taken" };
    const state = await loadState(ctx.storage);
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
    const api = apiOf(ctx);
    for (const e of events.slice(0, 100)) {
      const id = String(e.objectId ?? "");
      if (!id) continue;
      if (e.subscriptionType === "contact.deletion") {
        const link = await ctx.sync.byExternal("contact", id);
        if (!link) continue;
        const local = await ctx.contacts.get(link.localId);
        if (c.deletions === "mirror" && local?.email)
          await ctx.contacts.upsert({ email: local.email, tags: ["deleted-in-hubspot"] });
        await ctx.sync.unlink("contact", link.localId);
      } else if (
        e.subscriptionType === "contact.creation" ||
        e.subscriptionType === "contact.propertyChange"
      ) {
        // HubSpot retries what is not answered 2xx: a failure here is thrown, and it comes again.
        await applyRemote(ctx, rulesOf(c), await api.getContact(id)).catch((error: unknown) => {
          throw new PluginError("provider_down", String((error as Error).message));
        });
      }
    }
    return { status: 200, body: "ok" };
  },
});
