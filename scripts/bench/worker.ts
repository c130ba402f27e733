// The edge-api worker for benchmarks: bundled by wrangler (offline dry run), run by Miniflare's API in
// workerd — not through `wrangler dev`, whose proxy adds ~10 ms — wired to a fresh local database.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  createFreshDatabase,
  dropDatabase,
  type LocalDatabase,
  startLocalDatabase,
} from "@autopilot/db/local";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import type { CallApi } from "../lib/seed.js";
import { wranglerBin, wranglerEnv } from "../lib/wrangler.js";

export type BenchWorker = {
  mf: Miniflare;
  database: LocalDatabase;
  /** "PGlite (in memory)" or the server's host and fresh database name. */
  databaseLabel: string;
  /** The public API, as a fetch against the worker (host is irrelevant to the worker). */
  call: CallApi;
  close: () => Promise<void>;
};

const BASE = "http://bench.local";

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

async function startDatabase(): Promise<{
  database: LocalDatabase;
  label: string;
  drop: () => Promise<void>;
}> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return { database: await startLocalDatabase({}), label: "PGlite (in memory)", drop: async () => {} };
  }
  const name = `autopilot_bench_${process.pid}_${Date.now()}`;
  const fresh = await createFreshDatabase(serverUrl, name);
  const u = new URL(serverUrl);
  return {
    database: await startLocalDatabase({ databaseUrl: fresh }),
    label: `PostgreSQL at ${u.hostname}:${u.port || "5432"} (fresh database ${name})`,
    drop: () => dropDatabase(serverUrl, name),
  };
}

export async function startBenchWorker(
  root: string,
  extraBindings: Record<string, string> = {},
): Promise<BenchWorker> {
  const scriptPath = buildWorker(root);
  // Bindings, Durable Objects, queues and compatibility settings exactly as wrangler.toml declares them.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
  const { database, label, drop } = await startDatabase();
  let runtimeErrors = "";
  try {
    const mf = new Miniflare({
      ...workerOptions,
      modules: true,
      scriptPath,
      bindings: {
        ...workerOptions.bindings,
        DATABASE_URL: database.connectionString,
        DB_BRIDGE: `127.0.0.1:${database.bridgePort}`,
        ...extraBindings,
      },
      // The worker logs one JSON line per request: drop stdout, keep the tail of stderr for errors.
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        stdout.resume();
        stderr.on("data", (chunk: Buffer) => {
          runtimeErrors = (runtimeErrors + chunk.toString()).slice(-4000);
        });
      },
    });
    await mf.ready;
    const call: CallApi = async (path, init) => {
      const res = await mf.dispatchFetch(`${BASE}${path}`, init);
      return res as unknown as Response;
    };
    return {
      mf,
      database,
      databaseLabel: label,
      call,
      close: async () => {
        await mf.dispose();
        await database.close();
        await drop();
      },
    };
  } catch (error) {
    await database.close();
    await drop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${runtimeErrors}`);
  }
}
