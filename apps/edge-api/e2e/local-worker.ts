import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { startLocalDatabase } from "@autopilot/db/local";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { LOCAL_SECRETS } from "../../../scripts/lib/local-secrets.js";
import type { CallApi } from "../../../scripts/lib/seed.js";
import { wranglerBin, wranglerEnv } from "../../../scripts/lib/wrangler.js";

// The edge-api worker for end-to-end tests: bundled by wrangler (offline dry run) and run by Miniflare
// in workerd with wrangler.toml's bindings, listening on 127.0.0.1 (a browser can reach it), wired to
// an in-memory PGlite started in this process (the vitest process has no tsx loader for a child).

export type LocalWorker = { origin: string; call: CallApi; logs: () => string; close: () => Promise<void> };

export async function startLocalWorker(
  root: string,
  options: { bindings?: Record<string, string> } = {},
): Promise<LocalWorker> {
  const outdir = join(root, ".data", "e2e-build");
  const built = spawnSync(
    wranglerBin(root),
    ["deploy", "--dry-run", "--outdir", outdir, "--config", join(root, "wrangler.toml")],
    { cwd: root, env: wranglerEnv(root), encoding: "utf8", timeout: 120_000 },
  );
  if (built.status !== 0) throw new Error(`wrangler build failed:\n${built.stdout}\n${built.stderr}`);
  const db = await startLocalDatabase({});
  let logs = "";
  const keep = (chunk: Buffer) => {
    logs = (logs + chunk.toString()).slice(-20_000);
  };
  try {
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));
    const mf = new Miniflare({
      ...workerOptions,
      modules: true,
      scriptPath: join(outdir, "index.js"),
      // Module names are paths relative to this root; the default (cwd) would need "..".
      modulesRoot: outdir,
      host: "127.0.0.1",
      port: 0,
      bindings: {
        ...workerOptions.bindings,
        ...LOCAL_SECRETS,
        // A local worker: local addresses and the local mail outbox, as `npm start` sets them.
        LOCAL_DEVELOPMENT: "1",
        MAILER: "dev-outbox",
        DATABASE_URL: db.connectionString,
        DB_BRIDGE: `127.0.0.1:${db.bridgePort}`,
        ...options.bindings,
      },
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        stdout.on("data", keep);
        stderr.on("data", keep);
      },
    });
    const origin = (await mf.ready).origin;
    return {
      origin,
      call: async (path, init) => (await mf.dispatchFetch(`${origin}${path}`, init)) as unknown as Response,
      logs: () => logs,
      close: async () => {
        await mf.dispose();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
  }
}
