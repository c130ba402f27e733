import { definePlugin } from "@autopilot/sdk";

// Posts each qualified lead to a chat channel through an incoming webhook (Slack's JSON, which
// Mattermost, Rocket.Chat and others accept too). Written only against the SDK.

const RANK = { new: 0, qualifying: 1, mql: 2, sql: 3, converted: 4, disqualified: -1 } as const;
type Status = keyof typeof RANK;

export default definePlugin({
  manifest: {
    id: "autopilot/lead-notify",
    name: "Lead notify",
    version: "1.0.0",
    engine: "^1.0.0",
    description: "Posts each qualified lead to a chat channel (a Slack-compatible incoming webhook).",
    kinds: ["events"],
    permissions: ["events:subscribe", "contacts:read"],
    egress: ["hooks.slack.com"],
    subscriptions: ["lead.status_changed"],
    config: {
      type: "object",
      required: ["webhookUrl"],
      properties: {
        webhookUrl: {
          type: "string",
          format: "uri",
          title: "Incoming webhook URL",
          description: "From your chat tool's incoming-webhook settings, https://hooks.slack.com/services/…",
          secret: true,
        },
        minimumStatus: {
          type: "string",
          enum: ["mql", "sql"],
          default: "sql",
          title: "Post leads from this status on",
        },
      },
    },
  },
  async onEvent(event, ctx) {
    if (event.type !== "lead.status_changed") return;
    const minimum = ctx.config.minimumStatus === "mql" ? "mql" : "sql";
    const to = event.properties.to as Status;
    const from = event.properties.from as Status;
    // Only the step into a qualified status is news; moving on from one is not posted again.
    if (RANK[to] < RANK[minimum] || to === "converted" || RANK[from] >= RANK[minimum]) return;
    const contactId = event.subjects.contact;
    const contact = contactId ? await ctx.contacts.get(contactId) : null;
    const who = contact
      ? [contact.name, contact.email && `<${contact.email}>`].filter(Boolean).join(" ")
      : "A lead";
    const text = `${who || "A lead"} is now ${to.toUpperCase()}${event.properties.reason ? `: ${event.properties.reason}` : "."}`;
    const res = await ctx.fetch(String(ctx.config.webhookUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    if (!res.ok) throw new Error(`the chat webhook answered ${res.status}`);
    ctx.log.info("lead posted", { lead: event.subjects.lead, status: to });
  },
});
