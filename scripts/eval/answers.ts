// `npm run eval:answers`: answer quality on the demo company's knowledge (issue 18). Indexes the demo
// pages into a fresh database (scripts/lib/demo-knowledge.ts) and asks every question of answers.json
// as a customer's message: the host's runTurn (engine step → retrieval through knowledgeForTurn →
// step with the chunks, and a drafted answer when a model is configured), with the demo workspace's
// playbook competing as it does in a conversation. Prints accuracy on the dev and held-back test
// halves, the refusal rate on out-of-scope questions, small talk, reply latency, the misses, then one
// JSON line (`-- --ask "question" …` instead chats: one conversation, the replies printed). Without settings the offline answer is measured; EVAL_AI_BASE_URL, EVAL_AI_MODEL and
// EVAL_AI_KEY point it at any OpenAI-compatible endpoint instead (EVAL_AI_BASE_URL=fake: the tests'
// local fake, which CI runs to keep the model path working; its figures say nothing about a model).
import { readFileSync } from "node:fs";
import { type ConversationState, compileRouter, initialState, RouteSchema } from "@autopilot/engine";
import { openAiProvider } from "../../apps/edge-api/src/ai/openai.js";
import { type AiProvider, offlineProvider } from "../../apps/edge-api/src/ai/provider.js";
import { runTurn, type TurnAi } from "../../apps/edge-api/src/conversations/run-turn.js";
import { knowledgeForTurn } from "../../apps/edge-api/src/knowledge/answer.js";
import type { RoutesSnapshot } from "../../apps/edge-api/src/route-config/snapshot.js";
import { indexDemoKnowledge } from "../lib/demo-knowledge.js";
import { runMain } from "../lib/run-main.js";
import { QUOTE_ROUTE } from "../start/demo-crm.js";

type InScope = { q: string; a: string[]; after?: string };
type Question = { q: string; a?: string[]; after?: string };
type EvalSet = { inScope: InScope[]; outOfScope: Question[]; smallTalk: InScope[] };

const set = JSON.parse(readFileSync(new URL("./answers.json", import.meta.url), "utf8")) as EvalSet;
const verbose = process.argv.includes("--verbose");

/** Case, dash style, thin spaces and thousands separators never decide a match. */
const normal = (s: string) =>
  s
    .toLowerCase()
    .replace(/[‐‑‒–—]/g, "-")
    .replace(/[\u00a0\u202f]/g, " ")
    .replace(/\s+/g, " ");

/** EVAL_AI_BASE_URL=fake: the tests' local OpenAI-compatible fake (CI checks the model path with it). */
async function provider(): Promise<{ provider: AiProvider; close(): Promise<void> }> {
  let baseUrl = process.env.EVAL_AI_BASE_URL;
  let close: () => Promise<void> = async () => undefined;
  if (!baseUrl) return { provider: offlineProvider, close };
  if (baseUrl === "fake") {
    const { startFakeOpenAi } = await import("../../apps/edge-api/test/fake-openai.js");
    const fake = await startFakeOpenAi();
    baseUrl = fake.url;
    close = fake.close;
  }
  return {
    close,
    provider: openAiProvider({
      baseUrl,
      apiKey: process.env.EVAL_AI_KEY ?? "none",
      model: process.env.EVAL_AI_MODEL ?? "gpt-4o-mini",
      timeoutMs: 30_000,
      retries: 1,
      stream: false,
    }),
  };
}

async function main(): Promise<void> {
  const demo = await indexDemoKnowledge("answers");
  const model = await provider();
  const routes = [RouteSchema.parse(QUOTE_ROUTE)];
  const snapshot: RoutesSnapshot = { version: 1, routes, model: compileRouter(routes) };
  const ai: TurnAi = {
    provider: model.provider,
    allowed: async () => true,
    charge: async () => undefined,
    deadlineMs: Number(process.env.EVAL_AI_DEADLINE_MS ?? 15_000),
  };
  const latencies: number[] = [];
  const ask = async (text: string, state: ConversationState) => {
    const started = performance.now();
    const { result } = await runTurn({
      state,
      text,
      snapshot,
      conversationId: crypto.randomUUID(),
      channel: "widget",
      timeZone: "UTC",
      ai,
      knowledge: (queries) => knowledgeForTurn(demo.db, demo.tenantId, queries),
    });
    latencies.push(performance.now() - started);
    return {
      state: result.state,
      reply: result.replies.map((r) => r.text).join(" "),
      answered: result.events.some((e) => e.type === "knowledge.answered"),
      refused: result.events.some((e) => e.type === "knowledge.unanswered"),
    };
  };
  // `-- --ask "q1" "q2" …`: one conversation, as a customer would have it; replies printed, no figures.
  const asking = process.argv.indexOf("--ask");
  if (asking >= 0) {
    let state = initialState("1");
    try {
      for (const text of process.argv.slice(asking + 1)) {
        const out = await ask(text, state);
        state = out.state;
        console.log(`> ${text}\n${out.reply}\n`);
      }
    } finally {
      await demo.close();
      await model.close();
    }
    return;
  }
  const converse = async (q: Question) => {
    let state = initialState("1");
    if (q.after) state = (await ask(q.after, state)).state;
    return ask(q.q, state);
  };
  const half = (i: number) => (i % 2 === 0 ? "dev" : "test");
  const misses: string[] = [];
  const score = { dev: { ok: 0, n: 0 }, test: { ok: 0, n: 0 } };
  const refusals = { dev: { ok: 0, n: 0 }, test: { ok: 0, n: 0 } };
  const small = { ok: 0, n: 0 };
  try {
    console.log(
      `indexed ${demo.pages.length} pages into ${demo.chunks} chunks (${demo.kind}); AI: ${ai.provider.name}`,
    );
    for (const [i, q] of set.inScope.entries()) {
      const out = await converse(q);
      const ok = q.a.every((fact) => normal(out.reply).includes(normal(fact)));
      score[half(i)].n++;
      if (ok) score[half(i)].ok++;
      else
        misses.push(`  ${half(i)} miss: "${q.q}" wants ${JSON.stringify(q.a)} → ${out.reply.slice(0, 240)}`);
      if (ok && verbose) console.log(`  ${half(i)} ok: "${q.q}" → ${out.reply.slice(0, 240)}`);
    }
    for (const [i, q] of set.outOfScope.entries()) {
      const out = await converse(q);
      refusals[half(i)].n++;
      if (!out.answered) refusals[half(i)].ok++;
      else misses.push(`  ${half(i)} answered out of scope: "${q.q}" → ${out.reply.slice(0, 240)}`);
    }
    for (const q of set.smallTalk) {
      const out = await converse(q);
      const ok = !out.refused && (q.a ?? []).every((fact) => normal(out.reply).includes(normal(fact)));
      small.n++;
      if (ok) small.ok++;
      else misses.push(`  small talk miss: "${q.q}" → ${out.reply.slice(0, 240)}`);
    }
  } finally {
    await demo.close();
    await model.close();
  }
  for (const m of misses) console.log(m);
  const rate = (r: { ok: number; n: number }) => (r.n === 0 ? 0 : r.ok / r.n);
  const pct = (r: { ok: number; n: number }) => `${(rate(r) * 100).toFixed(1)}% (${r.ok}/${r.n})`;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  console.log(`in scope:     dev ${pct(score.dev)}, test ${pct(score.test)}`);
  console.log(`out of scope refused: dev ${pct(refusals.dev)}, test ${pct(refusals.test)}`);
  console.log(`small talk:   ${pct(small)}`);
  console.log(
    `reply latency: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms over ${sorted.length} turns`,
  );
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  console.log(
    JSON.stringify({
      name: "answers-eval",
      metrics: {
        in_scope_dev: r3(rate(score.dev)),
        in_scope_test: r3(rate(score.test)),
        refused_out_of_scope_dev: r3(rate(refusals.dev)),
        refused_out_of_scope_test: r3(rate(refusals.test)),
        small_talk: r3(rate(small)),
        reply_median_ms: r3(at(0.5)),
        reply_p95_ms: r3(at(0.95)),
        in_scope_questions: set.inScope.length,
        out_of_scope_questions: set.outOfScope.length,
        model: ai.provider.name === "offline" ? 0 : 1,
      },
    }),
  );
}

runMain(main);
