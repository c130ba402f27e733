// Issue 4's benchmark, through Miniflare directly: (1) one visitor turn HTTP → Conversation DO → reply
// with the offline provider, sequential, median target ≤ 5 ms; (2) 1,000 conversations at once (each
// started, then one message), zero errors, p50/p99 and messages/s. BENCH_CONCURRENT overrides 1,000.
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { describe, percentile, round, runSequential, summarize } from "./stats.js";
import { BENCH_CONNECTIONS, NO_WIDGET_LIMITS, startBenchWorker } from "./worker.js";

const TARGET_TURN_MEDIAN_MS = 5;
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);
const CONCURRENT_DEADLINE_MS = 120_000;

const route = {
  id: "quote",
  name: "Get a quote",
  examples: ["I want a quote", "how much does it cost", "pricing please"],
  steps: [
    { id: "hello", kind: "say", text: "Happy to help with a quote!", next: "ask" },
    {
      id: "ask",
      kind: "ask",
      prompt: "Your email?",
      field: { name: "email", label: "Email", type: "email" },
      next: "end",
    },
    { id: "end", kind: "end", message: "Thanks!" },
  ],
};

export const conversations: Bench = {
  name: "conversations",
  description: "visitor turn HTTP → DO → reply (offline provider); 1,000 concurrent conversations",
  async run(ctx) {
    const worker = await startBenchWorker(ctx.root, NO_WIDGET_LIMITS);
    try {
      const { apiKey } = await seedWorkspace(worker.call, {
        email: `bench-conv-${Date.now()}@autopilot.local`,
        password: "benchmark-password",
        name: "Bench Owner",
        companyName: "Bench Company",
      });
      const admin = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
      const post = async (path: string, body: unknown, headers: Record<string, string>) => {
        const sent = performance.now();
        const res = await worker
          .call(path, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify(body),
          })
          .catch((error: unknown) => {
            const cause = (error as { cause?: unknown }).cause;
            const ms = (performance.now() - sent).toFixed(0);
            throw new Error(
              `${path.replace(/[0-9a-f-]{36}/, ":id")} after ${ms} ms: ${String(cause ?? error)}`,
            );
          });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
        return JSON.parse(text) as Record<string, unknown>;
      };
      await post("/v1/routes", route, admin);
      const key = (await post("/v1/widget-keys", {}, admin)) as { publicKey: string };
      const start = async () => {
        const s = (await post(
          "/v1/widget/session",
          { publicKey: key.publicKey },
          {
            "cf-connecting-ip": `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
          },
        )) as { token: string };
        const auth = { authorization: `Bearer ${s.token}` };
        const c = (await post("/v1/widget/conversations", { channel: "web" }, auth)) as {
          conversation: { id: string };
        };
        return { id: c.conversation.id, auth };
      };

      // (1) Sequential turns in one conversation: the route loops on "hello" (greeting) so each turn is alike.
      const conv = await start();
      const turn = async () => {
        const r = await post(`/v1/widget/conversations/${conv.id}/messages`, { text: "hello" }, conv.auth);
        if (!Array.isArray(r.messages) || r.messages.length < 2) throw new Error("no reply");
      };
      await runSequential(turn, { seconds: 3, maxCount: 300 });
      const turns = summarize(
        ...spreadRun(await runSequential(turn, { seconds: ctx.seconds, maxCount: ctx.maxCount })),
      );
      console.log(`  ${describe("visitor turn", turns)}  target median ≤ ${TARGET_TURN_MEDIAN_MS} ms`);

      // (2) 1,000 conversations at once: start + first message each.
      const latencies: number[] = [];
      let errors = 0;
      const t0 = performance.now();
      const all = Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          try {
            const c = await start();
            const s = performance.now();
            await post(
              `/v1/widget/conversations/${c.id}/messages`,
              { text: "how much does it cost" },
              c.auth,
            );
            latencies.push(performance.now() - s);
          } catch (error) {
            errors++;
            const cause = (error as { cause?: unknown }).cause;
            if (errors <= 3)
              console.log(`  error: ${String(error).slice(0, 200)} ${cause ? String(cause) : ""}`);
          }
        }),
      );
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), CONCURRENT_DEADLINE_MS)),
      ]);
      const wall = (performance.now() - t0) / 1000;
      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      console.log(
        `  ${CONCURRENT} concurrent (over ${BENCH_CONNECTIONS} keep-alive connections): ${errors} errors, ${worker.retries.count} requests resent after a closed socket${timedOut ? " (TIMED OUT)" : ""}, wall ${wall.toFixed(1)} s, ` +
          `message p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms, ${(latencies.length / wall).toFixed(0)} conversations (start + message)/s`,
      );
      return {
        turn_median_ms: round(turns.medianMs),
        turn_p99_ms: round(turns.p99Ms),
        turn_rps: round(turns.rps, 1),
        turn_target_met: turns.medianMs <= TARGET_TURN_MEDIAN_MS ? 1 : 0,
        concurrent: CONCURRENT,
        concurrent_errors: errors + (timedOut ? CONCURRENT - latencies.length - errors : 0),
        concurrent_resent_requests: worker.retries.count,
        concurrent_wall_s: round(wall, 2),
        concurrent_p50_ms: round(p50),
        concurrent_p99_ms: round(p99),
        concurrent_messages_per_s: round(latencies.length / wall, 1),
      };
    } finally {
      await worker.close();
    }
  },
};

const spreadRun = (r: { latenciesMs: number[]; seconds: number }): [number[], number] => [
  r.latenciesMs,
  r.seconds,
];
