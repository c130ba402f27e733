// `npm run eval:knowledge`: retrieval quality on the demo tenant's knowledge (issue 5). Indexes the
// Markdown pages in scripts/start/demo-knowledge/pages through the document code path (parse →
// chunk → replaceSourceChunks, in a tenant transaction through the neon driver and the bridge) into a
// fresh database — PGlite in memory, or a fresh database on the server named by DATABASE_URL — then
// asks every labelled question of questions.json through retrieveChunks, the retrieval the API and
// the answer path use. A question scores when a chunk of its page is among the first 5 (hit@5); MRR
// is over the first 10. Prints the misses, then one JSON line {"name", "metrics"}.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { knowledgeSources, openDatabase, withTenant } from "@autopilot/db";
import { createFreshDatabase, dropDatabase, startLocalDatabase } from "@autopilot/db/local";
import { chunkSections } from "../apps/edge-api/src/knowledge/chunk.js";
import { parseMarkdown } from "../apps/edge-api/src/knowledge/markdown.js";
import { retrieveChunks } from "../apps/edge-api/src/knowledge/search.js";
import { replaceSourceChunks } from "../apps/edge-api/src/knowledge/store.js";

const dir = fileURLToPath(new URL("./start/demo-knowledge/", import.meta.url));
const SITE = "https://demo-company.example/";

type Labelled = { q: string; page: string };

async function main(): Promise<void> {
  const pages = readdirSync(join(dir, "pages"))
    .filter((f) => f.endsWith(".md"))
    .sort();
  const { questions } = JSON.parse(readFileSync(join(dir, "questions.json"), "utf8")) as {
    questions: Labelled[];
  };
  const slugs = new Set(pages.map((p) => p.replace(/\.md$/, "")));
  const unknown = questions.filter((q) => !slugs.has(q.page));
  if (unknown.length > 0)
    throw new Error(`questions name unknown pages: ${unknown.map((q) => q.page).join(", ")}`);

  const { neonConfig } = await import("@neondatabase/serverless");
  const { default: ws } = await import("ws");
  neonConfig.webSocketConstructor = ws;
  const serverUrl = process.env.DATABASE_URL;
  const name = `autopilot_eval_knowledge_${process.pid}`;
  const url = serverUrl ? await createFreshDatabase(serverUrl, name) : undefined;
  const local = await startLocalDatabase({ databaseUrl: url });
  const bridge = `127.0.0.1:${local.bridgePort}`;
  const db = openDatabase({ url: local.connectionString, bridge });
  try {
    const [tenant] = await db.query<{ id: string }>(
      "insert into tenants (name) values ('Demo Company') returning id",
    );
    const tenantId = tenant?.id as string;
    let chunkCount = 0;
    for (const file of pages) {
      const slug = file.replace(/\.md$/, "");
      const parsed = parseMarkdown(readFileSync(join(dir, "pages", file), "utf8"), slug);
      chunkCount += await withTenant(db, tenantId, async (tx) => {
        const [source] = await tx
          .insert(knowledgeSources)
          .values({ tenantId, kind: "document", name: parsed.title, config: {} })
          .returning();
        if (!source) throw new Error("no source row");
        return replaceSourceChunks(tx, source, chunkSections(parsed.sections), `${SITE}${slug}`);
      });
    }
    await db.query("analyze knowledge_chunks");
    console.log(
      `indexed ${pages.length} pages into ${chunkCount} chunks (${local.kind}); ${questions.length} labelled questions`,
    );

    let hits = 0;
    let reciprocal = 0;
    const misses: string[] = [];
    for (const { q, page } of questions) {
      const found = await retrieveChunks(db, tenantId, q, { limit: 10 });
      const rank = found.findIndex((c) => c.url === `${SITE}${page}`) + 1;
      if (rank > 0) reciprocal += 1 / rank;
      if (rank > 0 && rank <= 5) hits++;
      else {
        const got = [...new Set(found.slice(0, 3).map((c) => c.url?.slice(SITE.length)))].join(", ");
        misses.push(`  miss: "${q}" → ${page} (rank ${rank || "-"}; top: ${got || "nothing"})`);
      }
    }
    for (const m of misses) console.log(m);
    const hitAt5 = hits / questions.length;
    const mrr = reciprocal / questions.length;
    console.log(
      `hit@5 ${(hitAt5 * 100).toFixed(1)}% (${hits}/${questions.length}), MRR@10 ${mrr.toFixed(3)}`,
    );
    console.log(
      JSON.stringify({
        name: "knowledge-eval",
        metrics: {
          hit_at_5: Math.round(hitAt5 * 1000) / 1000,
          mrr_at_10: Math.round(mrr * 1000) / 1000,
          questions: questions.length,
          pages: pages.length,
          chunks: chunkCount,
        },
      }),
    );
  } finally {
    await db.end();
    await local.close();
    if (serverUrl) await dropDatabase(serverUrl, name);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
