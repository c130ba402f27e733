// `autopilot-plugin init <kind>`: the files of a new plugin that builds and passes its test as it is.

/** Channels and CRM syncs get their templates with their contracts (appendInbound, sync cursors). */
export const TEMPLATE_KINDS = ["events", "action", "report"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

const EVENTS = (id: string) => `import { definePlugin } from "@autopilot/sdk";

// Reacts to workspace events: here, every new conversation is counted, and every tenth one is
// posted to a webhook from the settings.
export default definePlugin({
  manifest: {
    id: "${id}",
    name: "My events plugin",
    version: "0.1.0",
    engine: "^1.0.0",
    description: "Counts conversations and posts every tenth to a webhook.",
    kinds: ["events"],
    permissions: ["events:subscribe", "storage"],
    egress: ["hooks.example.com"],
    subscriptions: ["conversation.started"],
    config: {
      type: "object",
      required: ["webhookUrl"],
      properties: { webhookUrl: { type: "string", format: "uri", title: "Webhook URL", secret: true } },
    },
  },
  async onEvent(event, ctx) {
    if (event.type !== "conversation.started") return;
    const count = ((await ctx.storage.get<number>("conversations")) ?? 0) + 1;
    await ctx.storage.put("conversations", count);
    ctx.log.info("conversation counted", { count });
    if (count % 10 !== 0) return;
    const res = await ctx.fetch(String(ctx.config.webhookUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: \`\${count} conversations so far\` }),
    });
    if (!res.ok) throw new Error(\`the webhook answered \${res.status}\`);
  },
});
`;

const EVENTS_TEST = `import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

const started = () => ({
  id: crypto.randomUUID(),
  tenantId: crypto.randomUUID(),
  time: new Date().toISOString(),
  actor: { type: "visitor", id: null },
  subjects: { conversation: crypto.randomUUID() },
  type: "conversation.started",
  version: 1,
  properties: { channel: "web", routesVersion: 1 },
});

describe("my events plugin", () => {
  it("posts every tenth conversation", async () => {
    const host = new TestHost(plugin, { webhookUrl: "https://hooks.example.com/in" }).answer(() => new Response("ok"));
    for (let i = 0; i < 10; i++) expect(await host.call({ kind: "event", event: started() })).toEqual({ ok: true, value: null });
    expect(host.storage.get("conversations")).toBe(10);
    expect(host.requests.map((r) => JSON.parse(r.body))).toEqual([{ text: "10 conversations so far" }]);
  });
});
`;

const ACTION = (id: string) => `import { definePlugin } from "@autopilot/sdk";

// An action a playbook step can call: finds (or creates) the contact for an email and tags it.
export default definePlugin({
  manifest: {
    id: "${id}",
    name: "My action plugin",
    version: "0.1.0",
    engine: "^1.0.0",
    description: "Tags the contact of an email address.",
    kinds: ["action"],
    permissions: ["contacts:read", "contacts:write"],
    actions: [
      {
        name: "tag_contact",
        title: "Tag a contact",
        input: {
          type: "object",
          required: ["email", "tag"],
          properties: { email: { type: "string", format: "email" }, tag: { type: "string" } },
        },
      },
    ],
  },
  actions: {
    async tag_contact(input, ctx) {
      const { email, tag } = input as { email: string; tag: string };
      const contact = await ctx.contacts.upsert({ email, tags: [tag] });
      return { contactId: contact.id, tags: contact.tags };
    },
  },
});
`;

const ACTION_TEST = `import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

describe("my action plugin", () => {
  it("tags the contact, creating it when new", async () => {
    const host = new TestHost(plugin);
    const out = await host.call({ kind: "action", name: "tag_contact", input: { email: "ada@example.com", tag: "vip" } });
    expect(out).toMatchObject({ ok: true, value: { tags: ["vip"] } });
    expect([...host.contacts.values()].map((c) => c.email)).toEqual(["ada@example.com"]);
  });
});
`;

const REPORT = (id: string) => `import { definePlugin } from "@autopilot/sdk";

// A custom report: won deals per period from the workspace's own pipeline report, as a line chart.
export default definePlugin({
  manifest: {
    id: "${id}",
    name: "My report plugin",
    version: "0.1.0",
    engine: "^1.0.0",
    description: "Deals won per period.",
    kinds: ["report"],
    permissions: ["analytics:read"],
    reports: [
      {
        id: "won",
        title: "Deals won",
        parameters: {
          type: "object",
          required: ["from", "to"],
          properties: { from: { type: "string", format: "date" }, to: { type: "string", format: "date" } },
        },
      },
    ],
  },
  reports: {
    async won(parameters, ctx) {
      const { from, to } = parameters as { from: string; to: string };
      const { rows } = await ctx.analytics.report("pipeline", { from, to, groupBy: "month" });
      const won = new Map<string, number>();
      for (const r of rows) won.set(String(r.period), (won.get(String(r.period)) ?? 0) + Number(r.dealsWon ?? 0));
      return {
        rows: [...won].map(([period, count]) => ({ period, won: count })),
        chart: { type: "line", x: "period", y: ["won"] },
      };
    },
  },
});
`;

const REPORT_TEST = `import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

describe("my report plugin", () => {
  it("sums won deals per period and charts them", async () => {
    const host = new TestHost(plugin);
    host.reports.set("pipeline", [
      { period: "2026-10", pipelineId: "sales", dealsWon: 2 },
      { period: "2026-10", pipelineId: "partners", dealsWon: 1 },
      { period: "2026-11", pipelineId: "sales", dealsWon: 4 },
    ]);
    const out = await host.call({ kind: "report", id: "won", parameters: { from: "2026-10-01", to: "2026-11-30" } });
    expect(out).toEqual({
      ok: true,
      value: {
        rows: [
          { period: "2026-10", won: 3 },
          { period: "2026-11", won: 4 },
        ],
        chart: { type: "line", x: "period", y: ["won"] },
      },
    });
  });
});
`;

/** checks.json: what the marketplace's review runs against the bundle in its sandbox. */
const CHECKS: Record<TemplateKind, unknown[]> = {
  events: [
    {
      name: "counts a new conversation",
      call: {
        kind: "event",
        event: {
          id: "00000000-0000-4000-8000-000000000001",
          tenantId: "00000000-0000-4000-8000-000000000002",
          time: "2026-01-01T00:00:00.000Z",
          actor: { type: "visitor", id: null },
          subjects: { conversation: "00000000-0000-4000-8000-000000000003" },
          type: "conversation.started",
          version: 1,
          properties: { channel: "web", routesVersion: 1 },
        },
      },
      config: { webhookUrl: "https://hooks.example.com/in" },
      expect: { ok: true },
    },
  ],
  action: [
    {
      name: "tags a contact",
      call: { kind: "action", name: "tag_contact", input: { email: "ada@example.com", tag: "vip" } },
      expect: { ok: true },
    },
    {
      name: "refuses an unknown action",
      call: { kind: "action", name: "no_such_action", input: {} },
      expect: { ok: false },
    },
  ],
  report: [
    {
      name: "answers for a date range",
      call: { kind: "report", id: "won", parameters: { from: "2026-01-01", to: "2026-03-31" } },
      expect: { ok: true },
    },
  ],
};

export function templateFiles(kind: TemplateKind, id: string, packageName: string): Record<string, string> {
  const [source, test] =
    kind === "events"
      ? [EVENTS(id), EVENTS_TEST]
      : kind === "action"
        ? [ACTION(id), ACTION_TEST]
        : [REPORT(id), REPORT_TEST];
  return {
    "package.json": `${JSON.stringify(
      {
        name: packageName,
        version: "0.1.0",
        private: true,
        type: "module",
        scripts: {
          test: "vitest run",
          build: "autopilot-plugin build",
          pack: "autopilot-plugin pack",
          dev: "autopilot-plugin dev",
          publish: "autopilot-plugin publish",
        },
        dependencies: { "@autopilot/sdk": "*" },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["src"],
      },
      null,
      2,
    )}\n`,
    "vitest.config.ts": `import { defineConfig } from "vitest/config";\n\nexport default defineConfig({ test: { include: ["src/**/*.test.ts"] } });\n`,
    "src/index.ts": source,
    "src/index.test.ts": test,
    "README.md": `# ${id}\n\nWhat it does, what it asks for and why, and its settings.\n`,
    "CHANGELOG.md": "# Changelog\n\n## 0.1.0\n\nFirst release.\n",
    "checks.json": `${JSON.stringify(CHECKS[kind], null, 2)}\n`,
  };
}
