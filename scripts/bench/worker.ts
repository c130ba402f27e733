// The edge-api worker for benchmarks: bundled by wrangler (offline dry run), run by Miniflare's API in
// workerd — not through `wrangler dev`, whose proxy adds ~10 ms — wired to a fresh local database.
import { fork, spawnSync } from "node:child_process";
import { once } from "node:events";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { BridgeStats } from "@autopilot/db/local";
import { Miniflare } from "miniflare";
import { Pool, fetch as undiciFetch } from "undici";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { LOCAL_SECRETS } from "../lib/local-secrets.js";
import type { CallApi } from "../lib/seed.js";
import { wranglerBin, wranglerEnv } from "../lib/wrangler.js";
import type { DatabaseReady } from "./database-process.js";

/** Connections the benchmark client holds to the worker at most. */
export const BENCH_CONNECTIONS = 64;

export type BenchWorker = {
  mf: Miniflare;
  /** "PGlite (in memory)" or the server's host and fresh database name. */
  databaseLabel: string;
  /** The process running the database's bridge (and PGlite). */
  databasePid: number;
  /** Connections and round trips through the database's bridge so far. */
  bridgeStats: () => Promise<BridgeStats>;
  /** The public API, as a fetch against the worker (host is irrelevant to the worker). */
  call: CallApi;
  /** Requests resent once after their kept-alive socket closed under them. */
  retries: { count: number };
  close: () => Promise<void>;
};

const builtWorker = (root: string) => join(root, ".data", "bench-build", "index.js");

function buildWorker(root: string): string {
  const outdir = join(root, ".data", "bench-build");
  const result = spawnSync(
    wranglerBin(root),
    ["deploy", "--dry-run", "--outdir", outdir, "--config", join(root, "wrangler.toml")],
    { cwd: root, env: wranglerEnv(root), encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}\n${result.stderr}`);
  }
  return join(outdir, "index.js");
}

/** Starts bench/database-process.ts and waits (bounded) for its connection details. */
async function startDatabase(pooled: boolean): Promise<{
  ready: DatabaseReady;
  pid: number;
  stats: () => Promise<BridgeStats>;
  close: () => Promise<void>;
}> {
  const child = fork(fileURLToPath(new URL("./database-process.ts", import.meta.url)), {
    execArgv: process.execArgv, // tsx's loader
    env: { ...process.env, BENCH_BRIDGE_POOLED: pooled ? "1" : "0" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send("close");
    const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    if (!done) child.kill("SIGKILL");
  };
  type Reply = { ready?: DatabaseReady; error?: string };
  const message: Reply = await Promise.race<Reply>([
    once(child, "message").then(([m]) => m as Reply),
    exited.then(([code]) => ({ error: `database process exited (${code})` })),
    sleep(180_000).then(() => ({ error: "database not ready within 180 s" })),
  ]);
  if (!message.ready) {
    child.kill("SIGKILL");
    throw new Error(message.error ?? "database process failed");
  }
  const stats = async () => {
    child.send("stats");
    const [reply] = (await once(child, "message")) as [{ stats: BridgeStats }];
    return reply.stats;
  };
  return { ready: message.ready, pid: child.pid ?? 0, stats, close };
}

/**
 * Limits lifted for benchmarks that open many widget sessions: every local caller shares one address
 * (LOCAL_DEVELOPMENT), so the per-IP sign-in and session limits would throttle the load itself.
 */
export const NO_WIDGET_LIMITS: Record<string, string> = {
  RATE_LIMIT_KEY_PER_MIN: "1000000000",
  WIDGET_VISITOR_PER_MIN: "1000000000",
  WIDGET_TENANT_PER_MIN: "1000000000",
  RATE_LIMIT_AUTH_PER_MIN: "1000000000",
};

export async function startBenchWorker(
  root: string,
  extraBindings: Record<string, string> = {},
  opts: { pooled?: boolean; build?: boolean } = {},
): Promise<BenchWorker> {
  const scriptPath = opts.build === false ? builtWorker(root) : buildWorker(root);
  // Bindings, Durable Objects, queues and compatibility settings exactly as wrangler.toml declares them.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
  const {
    ready: database,
    pid: databasePid,
    stats: bridgeStats,
    close: closeDatabase,
  } = await startDatabase(opts.pooled !== false);
  let runtimeErrors = "";
  try {
    const mf = new Miniflare({
      ...workerOptions,
      modules: true,
      scriptPath,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      ...(process.env.BENCH_DO_DIR ? { durableObjectsPersist: process.env.BENCH_DO_DIR } : {}),
      // BENCH_INSPECTOR_PORT: attach a CPU profiler (Chrome DevTools protocol) to workerd.
      ...(process.env.BENCH_INSPECTOR_PORT
        ? { inspectorPort: Number(process.env.BENCH_INSPECTOR_PORT) }
        : {}),
      bindings: {
        ...workerOptions.bindings,
        ...LOCAL_SECRETS,
        // A local worker: local addresses and the local mail outbox (what `npm start` sets too).
        LOCAL_DEVELOPMENT: "1",
        MAILER: "dev-outbox",
        DATABASE_URL: database.connectionString,
        DB_BRIDGE: `127.0.0.1:${database.bridgePort}`,
        ...extraBindings,
      },
      // The worker logs one JSON line per request: drop stdout (BENCH_WORKER_LOG: keep its warnings
      // and errors in that file), keep the tail of stderr for errors.
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        if (process.env.BENCH_WORKER_LOG) keepProblems(stdout, process.env.BENCH_WORKER_LOG);
        else stdout.resume();
        stderr.on("data", (chunk: Buffer) => {
          runtimeErrors = (runtimeErrors + chunk.toString()).slice(-4000);
        });
      },
    });
    await mf.ready;
    // The worker's own socket, past Miniflare's entry worker (which only local dev has), through a
    // keep-alive pool as a front proxy would hold (`dispatchFetch` opens a connection per request).
    // workerd closes a connection idle for 5 s and one whose request headers it has not read within
    // 15 s (kj HttpServerSettings), so idle sockets are dropped sooner here, and the pool is bounded:
    // past it, requests wait in this client rather than as unread sockets in workerd.
    const origin = (await mf.unsafeGetDirectURL()).origin;
    const pool = new Pool(origin, { connections: BENCH_CONNECTIONS, keepAliveTimeout: 2_000 });
    const retries = { count: 0 };
    const send = (path: string, init: Parameters<CallApi>[1]) =>
      undiciFetch(`${origin}${path}`, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: pool });
    // A kept-alive socket that workerd closed just as a request went out fails before any response
    // byte; like a browser on a reused connection, resend once (counted: `retries`).
    const call: CallApi = async (path, init) => {
      try {
        return (await send(path, init)) as unknown as Response;
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code !== "UND_ERR_SOCKET" && code !== "ECONNRESET") throw error;
        retries.count++;
        return (await send(path, init)) as unknown as Response;
      }
    };
    return {
      mf,
      databaseLabel: database.label,
      databasePid,
      bridgeStats,
      call,
      retries,
      close: async () => {
        await pool.close();
        await mf.dispose();
        await closeDatabase();
      },
    };
  } catch (error) {
    await closeDatabase();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${runtimeErrors}`);
  }
}

/** Appends the worker's warning and error log lines to `file` (the request lines are dropped). */
function keepProblems(stdout: Readable, file: string): void {
  const lines = createInterface({ input: stdout, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => {
    if (line.includes('"level":"warn"') || line.includes('"level":"error"'))
      appendFileSync(file, `${line}\n`);
  });
}
