import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { answers200, waitUntil } from "../lib/wait.js";
import { wranglerEnv } from "../lib/wrangler.js";
import type { Service } from "./types.js";
import { assertPortFree, startWranglerDev } from "./wrangler-dev.js";

const BUILD_TIMEOUT_MS = 300_000;
const BINDING_TIMEOUT_MS = 60_000;
const BINDING_STREAK = 4;

/**
 * The dashboard worker (apps/dashboard): built with `react-router build`, then run by `wrangler dev`.
 * Its service binding to edge-api is resolved through wrangler's dev registry (a folder both wrangler
 * processes share under .data/), so /api/* on the dashboard reaches the edge-api started before it.
 */
export const dashboard: Service = {
  name: "dashboard",
  async start(stack) {
    if (!stack.apiUrl) throw new Error("the dashboard needs edge-api first");
    const app = join(stack.root, "apps", "dashboard");
    const port = stack.ports.dashboard;
    await assertPortFree(port, "DASHBOARD_PORT");
    const buildDir = stack.dashboardBuildDir;
    const built = spawnSync(join(stack.root, "node_modules", ".bin", "react-router"), ["build"], {
      cwd: app,
      env: {
        ...wranglerEnv(stack.root),
        ...stack.wranglerEnv,
        ...(buildDir ? { DASHBOARD_BUILD_DIR: buildDir } : {}),
      },
      encoding: "utf8",
      timeout: BUILD_TIMEOUT_MS,
    });
    if (built.status !== 0)
      throw new Error(
        `dashboard build failed:\n${built.stdout?.slice(-5000)}\n${built.stderr?.slice(-5000)}`,
      );
    const url = `http://127.0.0.1:${port}`;
    const worker = await startWranglerDev({
      stack,
      label: "dashboard",
      readyUrl: `${url}/login`,
      // wrangler dev bundles with NODE_ENV "development" unless told otherwise: React's server
      // renderer then runs its development build, about twice as slow as what is deployed.
      env: { NODE_ENV: "production" },
      args: [
        "--config",
        buildDir ? privateConfig(app, buildDir) : join(app, "wrangler.toml"),
        "--local",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--show-interactive-dev-session=false",
        "--var",
        `API_PUBLIC_URL:${stack.apiUrl}`,
      ],
    });
    // The service binding resolves through wrangler's dev registry, and edge-api's wrangler reloads once
    // when the dashboard registers: until that settles, /api/* answers 503. Ready = /api/health answering
    // 200 several times in a row (a loader's first call must not hit the gap).
    let streak = 0;
    const bound = await waitUntil({
      probe: async () => {
        streak = (await answers200(`${url}/api/health`).catch(() => false)) ? streak + 1 : 0;
        return streak >= BINDING_STREAK;
      },
      timeoutMs: BINDING_TIMEOUT_MS,
      intervalMs: 500,
    });
    if (!bound.ok) {
      await worker.stop();
      throw new Error(
        `the dashboard's /api/health never reached edge-api through the service binding: ${bound.reason}`,
      );
    }
    return {
      summary: [
        ["Dashboard", url],
        ["Mail outbox", `${url}/dev/mailbox`],
      ],
      stop: worker.stop,
    };
  },
};

/**
 * A copy of apps/dashboard/wrangler.toml that serves the build in `buildDir` (the server build alias
 * and the assets folder), written next to it. The alias cannot be given on the command line: wrangler
 * splits `--alias` at the first ":", and the module name is "virtual:react-router/server-build".
 */
function privateConfig(app: string, buildDir: string): string {
  const toml = readFileSync(join(app, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(app, "worker", "index.ts"))}`)
    .replace(
      /^"virtual:react-router\/server-build" = .*$/m,
      `"virtual:react-router/server-build" = ${JSON.stringify(join(buildDir, "server", "index.js"))}`,
    )
    .replace(/^directory = .*$/m, `directory = ${JSON.stringify(join(buildDir, "client"))}`);
  const file = join(buildDir, "wrangler.toml");
  writeFileSync(file, toml);
  return file;
}
