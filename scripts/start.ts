// `npm start`: runs AutopilotCRM locally on embedded defaults — the database (PGlite under .data/, or
// DATABASE_URL) with migrations, the WebSocket bridge, the edge-api worker in workerd, the dashboard
// worker, a demo workspace — and prints where everything is. Ctrl-C stops it all cleanly.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { services } from "./start/services.js";
import type { Running, Stack } from "./start/types.js";

// Covers draining the local queues (up to 12 s) and closing the database.
const HARD_STOP_MS = 30_000;

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = join(root, ".data");
mkdirSync(dataDir, { recursive: true });
const lockFile = join(dataDir, "start.pid");

const log = (message: string) => console.log(`[start] ${message}`);

/** One `npm start` per checkout: PGlite's data directory allows a single process. */
function takeLock(): void {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`npm start is already running here (pid ${pid}); stop it first`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const running: { name: string; service: Running }[] = [];
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const { name, service } of running.reverse()) {
      try {
        await service.stop();
        log(`stopped ${name}`);
      } catch (error) {
        console.error(`[start] stopping ${name} failed:`, error);
      }
    }
    running.length = 0;
    rmSync(lockFile, { force: true });
  })();
  return stopping;
}

async function shutdown(code: number): Promise<never> {
  // A hung stop must not leave the terminal waiting for ever.
  setTimeout(() => {
    console.error("[start] stopping took too long; exiting");
    process.exit(code || 1);
  }, HARD_STOP_MS).unref();
  await stopAll();
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) {
      log("still stopping (closing the database cleanly)…");
      return;
    }
    log(`${signal}: stopping…`);
    void shutdown(0);
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  takeLock();
  const stack: Stack = {
    root,
    dataDir,
    ports: { api: Number(process.env.PORT ?? 8787), dashboard: Number(process.env.DASHBOARD_PORT ?? 8788) },
    crashed: (name, reason) => {
      if (stopping) return;
      console.error(`[start] ${name} stopped unexpectedly: ${reason}`);
      void shutdown(1);
    },
  };
  const summary: [string, string][] = [];
  for (const service of services) {
    if (stopping) return;
    const t0 = performance.now();
    log(`starting ${service.name}…`);
    const handle = await service.start(stack);
    running.push({ name: service.name, service: handle });
    summary.push(...(handle.summary ?? []));
    log(`${service.name} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const width = Math.max(...summary.map(([label]) => label.length));
  console.log(
    `\nAutopilotCRM is running (started in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  for (const [label, value] of summary) console.log(`  ${label.padEnd(width)}  ${value}`);
  console.log("\nPress Ctrl-C to stop.\n");
}

main().catch(async (error: unknown) => {
  console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
