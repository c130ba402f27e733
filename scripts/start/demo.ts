import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Account, apiKeyWorks, type CallApi, seedWorkspace } from "../lib/seed.js";
import { seedDemoCrm } from "./demo-crm.js";
import { startDemoSite } from "./demo-site.js";
import type { Service } from "./types.js";

/** The demo login (documented in README.md; local only). */
export const DEMO_ACCOUNT: Account = {
  email: "demo@autopilot.local",
  password: "autopilot-demo",
  name: "Demo Owner",
  companyName: "Demo Company",
};

type Saved = { database: string; tenantId: string; apiKey: string };

/**
 * The demo workspace: created through the API on the first run (signup, email verified through the dev
 * mailbox link, an API key), then remembered in .data/ so later runs print the same key; its knowledge
 * and CRM (demo-crm.ts) are filled in once, and a customer's web page with the widget is served.
 */
export const demo: Service = {
  name: "demo workspace",
  async start(stack) {
    const apiUrl = stack.apiUrl;
    if (!apiUrl || !stack.database) throw new Error("the demo needs the database and edge-api first");
    const call: CallApi = (path, init) =>
      fetch(`${apiUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    const database = databaseId(stack.database.kind);
    const file = join(stack.dataDir, `demo-${database}.json`);
    let saved = readSaved(file);
    let note = "existing";
    if (!saved || !(await apiKeyWorks(call, saved.apiKey))) {
      const seeded = await seedWorkspace(call, DEMO_ACCOUNT, { name: "demo (npm start)", role: "owner" });
      saved = { database, tenantId: seeded.tenantId, apiKey: seeded.apiKey };
      writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
      note = "created now";
    }
    const knowledge = await seedDemoKnowledge(call, saved.apiKey);
    const crm = await seedDemoCrm(call, saved.apiKey);
    const site = await startDemoSite(apiUrl, crm.widgetKey, Number(process.env.DEMO_SITE_PORT ?? 8790));
    return {
      summary: [
        ["Demo login", `${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password} (${note})`],
        ["Demo API key", saved.apiKey],
        ["Demo knowledge", knowledge],
        ["Demo CRM", crm.summary],
        ["Demo customer site (chat widget)", site.url],
        ["Try", `curl -H 'Authorization: Bearer ${saved.apiKey}' ${apiUrl}/v1/me`],
      ],
      stop: site.close,
    };
  },
};

/**
 * The demo company's product pages (scripts/start/demo-knowledge/pages, the same ones
 * `npm run eval:knowledge` scores) uploaded as Markdown document sources, once: only when the
 * workspace has no knowledge source yet. The queue job indexes them in the background.
 */
async function seedDemoKnowledge(call: CallApi, apiKey: string): Promise<string> {
  const headers = { authorization: `Bearer ${apiKey}` };
  const list = await call("/v1/knowledge/sources", { headers });
  if (!list.ok) return `not loaded (listing sources: HTTP ${list.status})`;
  const { sources } = (await list.json()) as { sources: unknown[] };
  if (sources.length > 0) return `${sources.length} sources (existing)`;
  const dir = fileURLToPath(new URL("./demo-knowledge/pages/", import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith(".md"));
  for (const file of files) {
    const slug = file.replace(/\.md$/, "");
    const body = readFileSync(join(dir, file), "utf8");
    const title = /^title:\s*(.+)$/m.exec(body)?.[1] ?? /^#\s+(.+)$/m.exec(body)?.[1] ?? slug;
    const query = new URLSearchParams({
      name: title,
      fileName: file,
      url: `https://demo-company.example/${slug}`,
    });
    const res = await call(`/v1/knowledge/documents?${query}`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/markdown" },
      body,
    });
    if (res.status !== 202)
      return `stopped at ${file}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
    await res.body?.cancel();
  }
  return `${files.length} Markdown pages uploaded now (indexed in the background)`;
}

/** Which database the saved key belongs to: PGlite, or a hash of the server URL. */
function databaseId(kind: string): string {
  const url = process.env.DATABASE_URL;
  if (kind === "pglite" || !url) return "pglite";
  return `postgres-${createHash("sha256").update(url).digest("hex").slice(0, 12)}`;
}

function readSaved(file: string): Saved | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as Partial<Saved>;
    return value.apiKey && value.tenantId && value.database ? (value as Saved) : undefined;
  } catch {
    return undefined;
  }
}
