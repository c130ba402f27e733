// The demo company's pages (scripts/start/demo-knowledge/pages) indexed through the document code path
// (parse → chunk → replaceSourceChunks, in a tenant transaction through the neon driver and the bridge)
// into a fresh database: PGlite in memory, or a fresh database on the server named by DATABASE_URL.
// Shared by the knowledge evaluations (retrieval and answers).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Database, knowledgeSources, openDatabase, withTenant } from "@autopilot/db";
import { createFreshDatabase, dropDatabase, startLocalDatabase } from "@autopilot/db/local";
import { chunkSections } from "../../apps/edge-api/src/knowledge/chunk.js";
import { parseMarkdown } from "../../apps/edge-api/src/knowledge/markdown.js";
import { replaceSourceChunks } from "../../apps/edge-api/src/knowledge/store.js";

export const DEMO_KNOWLEDGE_DIR = fileURLToPath(new URL("../start/demo-knowledge/", import.meta.url));
export const DEMO_SITE = "https://demo-company.example/";

export type DemoKnowledge = {
  db: Database;
  tenantId: string;
  /** Page slugs (file names without .md), sorted. */
  pages: string[];
  chunks: number;
  kind: string;
  close(): Promise<void>;
};

export async function indexDemoKnowledge(purpose: string): Promise<DemoKnowledge> {
  const files = readdirSync(join(DEMO_KNOWLEDGE_DIR, "pages"))
    .filter((f) => f.endsWith(".md"))
    .sort();
  const { neonConfig } = await import("@neondatabase/serverless");
  const { default: ws } = await import("ws");
  neonConfig.webSocketConstructor = ws;
  const serverUrl = process.env.DATABASE_URL;
  const name = `autopilot_eval_${purpose}_${process.pid}`;
  const url = serverUrl ? await createFreshDatabase(serverUrl, name) : undefined;
  const local = await startLocalDatabase({ databaseUrl: url });
  const db = openDatabase({ url: local.connectionString, bridge: `127.0.0.1:${local.bridgePort}` });
  const close = async () => {
    await db.end();
    await local.close();
    if (serverUrl) await dropDatabase(serverUrl, name);
  };
  try {
    const [tenant] = await db.query<{ id: string }>(
      "insert into tenants (name) values ('Demo Company') returning id",
    );
    const tenantId = tenant?.id as string;
    let chunks = 0;
    for (const file of files) {
      const slug = file.replace(/\.md$/, "");
      const parsed = parseMarkdown(readFileSync(join(DEMO_KNOWLEDGE_DIR, "pages", file), "utf8"), slug);
      chunks += await withTenant(db, tenantId, async (tx) => {
        const [source] = await tx
          .insert(knowledgeSources)
          .values({ tenantId, kind: "document", name: parsed.title, config: {} })
          .returning();
        if (!source) throw new Error("no source row");
        return replaceSourceChunks(tx, source, chunkSections(parsed.sections), `${DEMO_SITE}${slug}`);
      });
    }
    await db.query("analyze knowledge_chunks");
    return { db, tenantId, pages: files.map((f) => f.replace(/\.md$/, "")), chunks, kind: local.kind, close };
  } catch (error) {
    await close();
    throw error;
  }
}
