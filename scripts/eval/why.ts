// `npx tsx scripts/eval/why.ts "question" …`: what the answer step sees for a question — the chunks
// retrieval returns for it and how well each covers it on its own — for tuning the offline answer.
import {
  extractiveAnswer,
  knowledgeConfidence,
  knowledgeQuestion,
  RouteSchema,
  routeConfidence,
} from "@autopilot/engine";
import { knowledgeForTurn } from "../../apps/edge-api/src/knowledge/answer.js";
import { indexDemoKnowledge } from "../lib/demo-knowledge.js";
import { runMain } from "../lib/run-main.js";
import { QUOTE_ROUTE } from "../start/demo-crm.js";

async function main(): Promise<void> {
  const demo = await indexDemoKnowledge("why");
  const route = RouteSchema.parse(QUOTE_ROUTE);
  try {
    for (const q of process.argv.slice(2)) {
      const asked = knowledgeQuestion(q);
      const { chunks } = await knowledgeForTurn(demo.db, demo.tenantId, [asked.query, q]);
      console.log(`\n"${q}" → "${asked.query}" (playbook ${routeConfidence(q, route).toFixed(2)})`);
      for (const c of chunks)
        console.log(`  ${knowledgeConfidence(asked, [c]).toFixed(2)}  ${c.headings?.join(" > ")}`);
      console.log(`  → ${extractiveAnswer(asked, chunks)?.text ?? "(none)"}`);
    }
  } finally {
    await demo.close();
  }
}

runMain(main);
