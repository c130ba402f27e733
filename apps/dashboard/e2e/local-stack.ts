import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { dashboard } from "../../../scripts/start/dashboard.js";
import { database } from "../../../scripts/start/database.js";
import { edgeApi } from "../../../scripts/start/edge-api.js";
import type { Running, Stack } from "../../../scripts/start/types.js";

export type LocalStack = { apiUrl: string; dashboardUrl: string; stop: () => Promise<void> };

/**
 * The full local stack for browser tests, started by the same services as `npm start` (database →
 * edge-api → dashboard, each worker in `wrangler dev`), but on free 127.0.0.1 ports, a fresh PGlite
 * under .data/e2e-dashboard/, and a wrangler dev registry of its own (so a running `npm start` is
 * neither disturbed nor bound to by mistake). `apiVars` are extra edge-api vars.
 */
export async function startLocalStack(
  root: string,
  apiVars: Record<string, string> = {},
): Promise<LocalStack> {
  const dataDir = join(root, ".data", "e2e-dashboard");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  let crashed = "";
  const stack: Stack = {
    root,
    dataDir,
    ports: { api: await freePort(), dashboard: await freePort() },
    wranglerEnv: { WRANGLER_REGISTRY_PATH: join(dataDir, "wrangler-registry") },
    apiVars,
    crashed: (name, reason) => {
      crashed = `${name}: ${reason}`;
      console.error(`[e2e] ${crashed}`);
    },
  };
  const running: Running[] = [];
  const stop = async () => {
    for (const service of running.reverse()) await service.stop().catch((e) => console.error(e));
    running.length = 0;
  };
  try {
    for (const service of [database, edgeApi, dashboard]) running.push(await service.start(stack));
  } catch (error) {
    await stop();
    throw error;
  }
  if (crashed) throw new Error(crashed);
  return { apiUrl: stack.apiUrl ?? "", dashboardUrl: `http://127.0.0.1:${stack.ports.dashboard}`, stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}
