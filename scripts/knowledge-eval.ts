// `npm run eval:knowledge`: retrieval quality on the demo tenant's knowledge (issue 5). Indexes the
// Markdown pages in scripts/start/demo-knowledge/pages through the document code path (parse →
// chunk → replaceSourceChunks, in a tenant transaction through the neon driver and the bridge) into a
// fresh database — PGlite in memory, or a fresh database on the server named by DATABASE_URL — then
// asks every labelled question of questions.json through retrieveChunks, the retrieval the API and
// the answer path use. A question scores when a chunk of its page is among the first 5 (hit@5); MRR
// is over the first 10. Also hit@5 of the answer path's retrieval (the engine's widened query fused
// with the question's own words). Ties between equally ranked chunks fall by their random ids, so the
// figures move by a question or two between runs. Prints the misses, then one JSON line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { knowledgeQuestion } from "@autopilot/engine";
import { retrieveChunks } from "../apps/edge-api/src/knowledge/search.js";
import { DEMO_KNOWLEDGE_DIR, indexDemoKnowledge, DEMO_SITE as SITE } from "./lib/demo-knowledge.js";
import { runMain } from "./lib/run-main.js";

type Labelled = { q: string; page: string };

async function main(): Promise<void> {
  const { questions } = JSON.parse(readFileSync(join(DEMO_KNOWLEDGE_DIR, "questions.json"), "utf8")) as {
    questions: Labelled[];
  };
  const demo = await indexDemoKnowledge("knowledge");
  const { db, tenantId, pages } = demo;
  try {
    const slugs = new Set(pages);
    const unknown = questions.filter((q) => !slugs.has(q.page));
    if (unknown.length > 0)
      throw new Error(`questions name unknown pages: ${unknown.map((q) => q.page).join(", ")}`);
    const chunkCount = demo.chunks;
    console.log(
      `indexed ${pages.length} pages into ${chunkCount} chunks (${demo.kind}); ${questions.length} labelled questions`,
    );

    let hits = 0;
    let reciprocal = 0;
    // The answer path's retrieval too: the engine's widened query ranked with the customer's words.
    let answerHits = 0;
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
      const widened = await retrieveChunks(db, tenantId, knowledgeQuestion(q).query, {
        limit: 5,
        alsoLexical: [q],
      });
      if (widened.some((c) => c.url === `${SITE}${page}`)) answerHits++;
    }
    for (const m of misses) console.log(m);
    const answerHitAt5 = answerHits / questions.length;
    console.log(
      `answer path (widened query + the question's words): hit@5 ${(answerHitAt5 * 100).toFixed(1)}%`,
    );
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
          answer_path_hit_at_5: Math.round(answerHitAt5 * 1000) / 1000,
          questions: questions.length,
          pages: pages.length,
          chunks: chunkCount,
        },
      }),
    );
  } finally {
    await demo.close();
  }
}

runMain(main);
