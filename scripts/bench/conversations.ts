// Issue 4's and issue 22's benchmark, through Miniflare directly: (1) one visitor turn HTTP →
// Conversation DO → reply with the offline provider, sequential, median target ≤ 5 ms; (2) 1,000
// conversations at once (each started, then one message), zero errors, p50/p99 and messages/s
// (target ≥ 300/s, first reply p99 ≤ 2 s); (3) 200 messages over 50 conversations at once (four each,
// in turn within a conversation; target ≥ 200/s). Beside each burst, where the CPU went (workerd, the
// PostgreSQL server's processes, the database bridge's process, this client) from /proc. On the
// server, (2) and (3) run again with the bridge forking a backend per connection instead of pooling:
// the local path before issue 22, side by side. BENCH_CONCURRENT overrides 1,000;
// BENCH_COMPARE_UNPOOLED=0 skips the second run.
import { seedWorkspace } from "../lib/seed.js";
import { type CpuSample, cpuBetween, describeCpu, sampleCpu } from "./cpu.js";
import type { Bench } from "./registry.js";
import { describe, percentile, round, runSequential, summarize } from "./stats.js";
import { BENCH_CONNECTIONS, type BenchWorker, NO_WIDGET_LIMITS, startBenchWorker } from "./worker.js";

const TARGET_TURN_MEDIAN_MS = 5;
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);
const CONCURRENT_DEADLINE_MS = 120_000;
const SETTLE_MAX_MS = 90_000;
const COMPARE_UNPOOLED = process.env.BENCH_COMPARE_UNPOOLED !== "0";
const FIFTY = { conversations: 50, messages: 4 };
const TARGETS = { concurrentPerS: 300, concurrentP99Ms: 2000, fiftyPerS: 200 };

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

type Post = (
  path: string,
  body: unknown,
  headers: Record<string, string>,
) => Promise<Record<string, unknown>>;
type Start = () => Promise<{ id: string; auth: Record<string, string> }>;

/** A workspace with the quote route and a widget key on `worker`; `start` opens a visitor's conversation. */
async function setUp(worker: BenchWorker): Promise<{ post: Post; start: Start }> {
  const post: Post = async (path, body, headers) => {
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
        throw new Error(`${path.replace(/[0-9a-f-]{36}/, ":id")} after ${ms} ms: ${String(cause ?? error)}`);
      });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const { apiKey } = await seedWorkspace(worker.call, {
    email: `bench-conv-${Date.now()}@autopilot.local`,
    password: "benchmark-password",
    name: "Bench Owner",
    companyName: "Bench Company",
  });
  const admin = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  await post("/v1/routes", route, admin);
  const key = (await post("/v1/widget-keys", {}, admin)) as { publicKey: string };
  const start: Start = async () => {
    const s = (await post(
      "/v1/widget/session",
      { publicKey: key.publicKey },
      { "cf-connecting-ip": `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
    )) as { token: string };
    const auth = { authorization: `Bearer ${s.token}` };
    const c = (await post("/v1/widget/conversations", { channel: "web" }, auth)) as {
      conversation: { id: string };
    };
    return { id: c.conversation.id, auth };
  };
  return { post, start };
}

/** Runs `tasks` at once (bounded by the deadline); each returns the latency it measured. */
async function burst(
  worker: BenchWorker,
  count: number,
  unit: string,
  task: () => Promise<number[]>,
): Promise<{ latencies: number[]; errors: number; wall: number; cpu: string; used: CpuSample; db: string }> {
  const latencies: number[] = [];
  let errors = 0;
  const named = { bridge: worker.databasePid, client: process.pid };
  const bridgeBefore = await worker.bridgeStats();
  const before = sampleCpu(named);
  const t0 = performance.now();
  const all = Promise.all(
    Array.from({ length: count }, async () => {
      try {
        latencies.push(...(await task()));
      } catch (error) {
        errors++;
        if (errors <= 3) console.log(`  error: ${String(error).slice(0, 300)}`);
      }
    }),
  );
  const timedOut = await Promise.race([
    all.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), CONCURRENT_DEADLINE_MS).unref()),
  ]);
  const wall = (performance.now() - t0) / 1000;
  const used = cpuBetween(before, sampleCpu(named));
  const cpu = describeCpu(used, wall);
  if (timedOut) errors += count - errors - latencies.length;
  // The database as the Worker used it, per task: what a pooler or Hyperdrive changes (README).
  const b = await worker.bridgeStats();
  const per = (n: number) => (n / count).toFixed(1);
  const db =
    `per ${unit}: ` +
    `${per(b.sessions - bridgeBefore.sessions)} database connections opened by the Worker, ` +
    `${per(b.serverConnections - bridgeBefore.serverConnections)} server backends started, ` +
    `${per(b.roundTrips - bridgeBefore.roundTrips)} round trips (counted when pooled)`;
  return { latencies, errors, wall, cpu, used, db };
}

/**
 * The same run's floor for a burst: workerd runs the Worker, every Durable Object and the consumers on
 * one thread, so its CPU per unit of work (a conversation started and answered, or a message) bounds
 * the rate at 1 / that: the ceiling. A busy share near 1 says that thread was the limit.
 */
function workerdFloor(b: { used: CpuSample; wall: number }, done: number) {
  const seconds = b.used.workerd ?? 0;
  if (!(seconds > 0 && done > 0)) return null;
  const msPer = (seconds * 1000) / done;
  return {
    msPer: round(msPer, 2),
    busy: round(seconds / b.wall, 2),
    ceilingPerS: round(1000 / msPer, 1),
    postgresMsPer: round(((b.used.postgres ?? 0) * 1000) / done, 2),
  };
}

const describeFloor = (f: ReturnType<typeof workerdFloor>, unit: string) =>
  f
    ? `    floor (this run): workerd ${f.msPer} ms CPU per ${unit}, busy ${f.busy} of its one thread: ` +
      `at most ${f.ceilingPerS} ${unit}s/s on this machine (postgres ${f.postgresMsPer} ms per ${unit})`
    : "    floor: workerd's CPU not readable here (/proc)";

/**
 * Waits until workerd and the PostgreSQL server are idle (under a tenth of a core over half a second),
 * at most SETTLE_MAX_MS; returns the seconds waited.
 */
async function settle(): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < SETTLE_MAX_MS) {
    const before = sampleCpu({});
    await new Promise((r) => setTimeout(r, 500));
    const used = cpuBetween(before, sampleCpu({}));
    if ((used.workerd ?? 0) + (used.postgres ?? 0) < 0.05) break;
  }
  return (performance.now() - t0) / 1000;
}

/** (2) and (3) on `worker`: the figures, keyed as the JSON line has them. */
async function bursts(worker: BenchWorker, start: Start, post: Post): Promise<Record<string, number>> {
  const message = (c: { id: string; auth: Record<string, string> }, text: string) =>
    post(`/v1/widget/conversations/${c.id}/messages`, { text }, c.auth);
  const many = await burst(worker, CONCURRENT, "conversation (start + message)", async () => {
    const c = await start();
    const s = performance.now();
    await message(c, "how much does it cost");
    return [performance.now() - s];
  });
  const sorted = [...many.latencies].sort((a, b) => a - b);
  const perS = many.latencies.length / many.wall;
  console.log(
    `  ${CONCURRENT} concurrent (over ${BENCH_CONNECTIONS} keep-alive connections): ${many.errors} errors, ` +
      `${worker.retries.count} requests resent after a closed socket, wall ${many.wall.toFixed(1)} s, ` +
      `first reply p50 ${percentile(sorted, 50).toFixed(1)} ms p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `${perS.toFixed(0)} conversations (start + message)/s (target ≥ ${TARGETS.concurrentPerS}/s, p99 ≤ ${TARGETS.concurrentP99Ms} ms)\n` +
      `    CPU: ${many.cpu}\n    ${many.db}`,
  );
  const manyFloor = workerdFloor(many, many.latencies.length);
  console.log(describeFloor(manyFloor, "conversation"));
  // The burst's outbox drains and queue consumers run on after its last reply; (3) measures its own
  // work only once they are done.
  const settled = await settle();
  console.log(`  settled after the burst in ${settled.toFixed(1)} s (workerd and postgres idle)`);
  // (3) the conversations exist first; then every one sends its messages, each after the last reply.
  const opened = await Promise.allSettled(Array.from({ length: FIFTY.conversations }, () => start()));
  const convs = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  // (Without pooling, the server can be left refusing connections after the first burst.)
  if (convs.length < FIFTY.conversations)
    console.log(
      `  ${FIFTY.conversations - convs.length} of the ${FIFTY.conversations} conversations did not start`,
    );
  let next = 0;
  const fifty = await burst(worker, convs.length, "conversation (four messages)", async () => {
    const c = convs[next++ % convs.length] as (typeof convs)[number];
    const times: number[] = [];
    for (let i = 0; i < FIFTY.messages; i++) {
      const s = performance.now();
      await message(c, i % 2 ? "how much does it cost" : "hello");
      times.push(performance.now() - s);
    }
    return times;
  });
  const fiftySorted = [...fifty.latencies].sort((a, b) => a - b);
  const fiftyPerS = convs.length ? fifty.latencies.length / fifty.wall : 0;
  console.log(
    `  ${FIFTY.conversations * FIFTY.messages} messages over ${FIFTY.conversations} conversations: ${fifty.errors} errors, ` +
      `wall ${fifty.wall.toFixed(2)} s, p50 ${percentile(fiftySorted, 50).toFixed(1)} ms p99 ${percentile(fiftySorted, 99).toFixed(1)} ms, ` +
      `${fiftyPerS.toFixed(0)} messages/s (target ≥ ${TARGETS.fiftyPerS}/s)\n    CPU: ${fifty.cpu}\n    ${fifty.db}`,
  );
  const fiftyFloor = workerdFloor(fifty, fifty.latencies.length);
  console.log(describeFloor(fiftyFloor, "message"));
  return {
    concurrent_errors: many.errors,
    concurrent_resent_requests: worker.retries.count,
    concurrent_wall_s: round(many.wall, 2),
    concurrent_p50_ms: round(percentile(sorted, 50)),
    concurrent_p99_ms: round(percentile(sorted, 99)),
    concurrent_messages_per_s: round(perS, 1),
    fifty_errors: fifty.errors + (FIFTY.conversations - convs.length) * FIFTY.messages,
    fifty_p50_ms: fiftySorted.length ? round(percentile(fiftySorted, 50)) : 0,
    fifty_p99_ms: fiftySorted.length ? round(percentile(fiftySorted, 99)) : 0,
    fifty_messages_per_s: round(fiftyPerS, 1),
    ...(manyFloor && {
      concurrent_workerd_cpu_ms_per_conversation: manyFloor.msPer,
      concurrent_workerd_busy_share: manyFloor.busy,
      concurrent_workerd_ceiling_per_s: manyFloor.ceilingPerS,
      concurrent_postgres_cpu_ms_per_conversation: manyFloor.postgresMsPer,
    }),
    ...(fiftyFloor && {
      fifty_workerd_cpu_ms_per_message: fiftyFloor.msPer,
      fifty_workerd_busy_share: fiftyFloor.busy,
      fifty_workerd_ceiling_per_s: fiftyFloor.ceilingPerS,
      fifty_postgres_cpu_ms_per_message: fiftyFloor.postgresMsPer,
    }),
  };
}

export const conversations: Bench = {
  name: "conversations",
  description:
    "visitor turn HTTP → DO → reply (offline provider); bursts: 1,000 concurrent conversations, 200 messages over 50",
  async run(ctx) {
    let worker = await startBenchWorker(ctx.root, NO_WIDGET_LIMITS);
    console.log(`  ${worker.databaseLabel}:`);
    try {
      const { post, start } = await setUp(worker);
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

      // (2) and (3) on this worker (its bridge pools server connections, as production's pooler does),
      // then on one whose bridge forks a backend per connection (the local path before pooling).
      const pooled = await bursts(worker, start, post);
      const metrics: Record<string, number> = {
        turn_median_ms: round(turns.medianMs),
        turn_p99_ms: round(turns.p99Ms),
        turn_rps: round(turns.rps, 1),
        turn_target_met: turns.medianMs <= TARGET_TURN_MEDIAN_MS ? 1 : 0,
        concurrent: CONCURRENT,
        ...pooled,
      };
      if (COMPARE_UNPOOLED && worker.databaseLabel.startsWith("PostgreSQL")) {
        await worker.close();
        worker = await startBenchWorker(ctx.root, NO_WIDGET_LIMITS, { pooled: false, build: false });
        console.log(`  again, ${worker.databaseLabel}:`);
        const setup = await setUp(worker);
        const unpooled = await bursts(worker, setup.start, setup.post);
        for (const [k, v] of Object.entries(unpooled)) metrics[`unpooled_${k}`] = v;
        metrics.pooled_concurrent_speedup = round(
          (pooled.concurrent_messages_per_s ?? 0) / (unpooled.concurrent_messages_per_s ?? 1),
          2,
        );
        metrics.pooled_fifty_speedup = round(
          (pooled.fifty_messages_per_s ?? 0) / (unpooled.fifty_messages_per_s ?? 1),
          2,
        );
      }
      return metrics;
    } finally {
      await worker.close();
    }
  },
};

const spreadRun = (r: { latenciesMs: number[]; seconds: number }): [number[], number] => [
  r.latenciesMs,
  r.seconds,
];
