import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { dashboard } from "./dashboard.js";
import { database } from "./database.js";
import { edgeApi } from "./edge-api.js";
import type { Running, Stack } from "./types.js";

export type LocalStack = { apiUrl: string; dashboardUrl: string; dashboardClientDir: string };

/**
 * The full local stack for browser tests and benchmarks, started by the same services as `npm start` (database →
 * edge-api → dashboard, each worker in `wrangler dev`), but on free 127.0.0.1 ports, a fresh PGlite
 * and a dashboard build under .data/e2e-dashboard/<pid>/ (a run of its own: two runs on one machine
 * neither delete each other's data nor rebuild each other's dashboard), and a wrangler dev registry
 * of its own (so a running `npm start` is neither disturbed nor bound to by mistake). `apiVars` are
 * extra edge-api vars.
 */
export async function startLocalStack(
  root: string,
  apiVars: Record<string, string> = {},
): Promise<LocalStack & { stop: () => Promise<void> }> {
  const runs = join(root, ".data", "e2e-dashboard");
  removeDeadRuns(runs);
  const dataDir = join(runs, String(process.pid));
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const dashboardBuildDir = join(dataDir, "dashboard-build");
  let crashed = "";
  const stack: Stack = {
    root,
    dataDir,
    ports: { api: await freePort(), dashboard: await freePort() },
    wranglerEnv: { WRANGLER_REGISTRY_PATH: join(dataDir, "wrangler-registry") },
    apiVars,
    dashboardBuildDir,
    crashed: (name, reason) => {
      crashed = `${name}: ${reason}`;
      console.error(`[e2e] ${crashed}`);
    },
  };
  const running: Running[] = [];
  const stop = async () => {
    for (const service of running.reverse()) await service.stop().catch((e) => console.error(e));
    running.length = 0;
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const service of [database, edgeApi, dashboard]) running.push(await service.start(stack));
  } catch (error) {
    await stop();
    throw error;
  }
  if (crashed) throw new Error(crashed);
  return {
    apiUrl: stack.apiUrl ?? "",
    dashboardUrl: `http://127.0.0.1:${stack.ports.dashboard}`,
    // The built dashboard's static assets (what wrangler serves under /assets/).
    dashboardClientDir: join(dashboardBuildDir, "client"),
    stop,
  };
}

/** Data of earlier runs whose process is gone (killed before its teardown); live runs are left alone. */
function removeDeadRuns(runs: string) {
  let names: string[] = [];
  try {
    names = readdirSync(runs);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
    rmSync(join(runs, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}
