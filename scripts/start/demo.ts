import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Account, apiKeyWorks, type CallApi, seedWorkspace } from "../lib/seed.js";
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
 * mailbox link, an API key), then remembered in .data/ so later runs print the same key.
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
    return {
      summary: [
        ["Demo login", `${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password} (${note})`],
        ["Demo API key", saved.apiKey],
        ["Try", `curl -H 'Authorization: Bearer ${saved.apiKey}' ${apiUrl}/v1/me`],
      ],
      stop: async () => {},
    };
  },
};

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
