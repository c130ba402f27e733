import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { answers200, waitUntil } from "../lib/wait.js";
import { wranglerBin, wranglerEnv } from "../lib/wrangler.js";
import type { Service } from "./types.js";

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const KEEP_OUTPUT_CHARS = 20_000;

/** The edge-api worker in workerd, through `wrangler dev --local`, wired to the local database. */
export const edgeApi: Service = {
  name: "edge-api",
  async start(stack) {
    const db = stack.database;
    if (!db) throw new Error("edge-api needs the database service first");
    const port = Number(process.env.PORT ?? 8787);
    await assertPortFree(port);
    const apiUrl = `http://127.0.0.1:${port}`;
    const args = [
      "dev",
      "--config",
      join(stack.root, "wrangler.toml"),
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--persist-to",
      join(stack.dataDir, "wrangler-state"),
      "--var",
      `DATABASE_URL:${db.connectionString}`,
      "--var",
      `DB_BRIDGE:127.0.0.1:${db.bridgePort}`,
      "--var",
      `APP_URL:${apiUrl}`,
    ];
    // Own process group, so stopping reaches workerd too, and Ctrl-C reaches only us (we stop it).
    const child = spawn(wranglerBin(stack.root), args, {
      cwd: stack.root,
      env: wranglerEnv(stack.root),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const killOnExit = () => killGroup(child, "SIGKILL");
    process.on("exit", killOnExit);

    let output = "";
    let live = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (live) process.stdout.write(prefixLines(text, "[edge-api] "));
      else output = (output + text).slice(-KEEP_OUTPUT_CHARS);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let exited: string | undefined;
    child.once("exit", (code, signal) => {
      exited = `wrangler exited (${signal ?? `code ${code}`})`;
      if (live) stack.crashed("edge-api", exited);
    });

    const ready = await waitUntil({
      probe: () => answers200(`${apiUrl}/health`),
      timeoutMs: HEALTH_TIMEOUT_MS,
      abort: () => exited,
    });
    if (!ready.ok) {
      await stopChild(child);
      process.off("exit", killOnExit);
      throw new Error(
        `edge-api did not answer ${apiUrl}/health: ${ready.reason}\n--- wrangler output ---\n${output}`,
      );
    }
    live = true;
    stack.apiUrl = apiUrl;
    return {
      summary: [
        ["API", apiUrl],
        ["API docs", `${apiUrl}/docs`],
        ["OpenAPI", `${apiUrl}/v1/openapi.json`],
        ["Health", `${apiUrl}/health`],
        ["Dev mailbox", `${apiUrl}/v1/dev/mailbox`],
        ["Cron (manual)", `${apiUrl}/__scheduled?cron=*+*+*+*+*`],
      ],
      stop: async () => {
        live = false;
        await stopChild(child);
        process.off("exit", killOnExit);
      },
    };
  },
};

function prefixLines(text: string, prefix: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, "exit");
  killGroup(child, "SIGTERM");
  const result = await Promise.race([
    exit.then(() => "exited"),
    sleep(STOP_TIMEOUT_MS).then(() => "timeout"),
  ]);
  if (result === "timeout") {
    killGroup(child, "SIGKILL");
    await Promise.race([exit, sleep(STOP_TIMEOUT_MS)]);
  }
}

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} on 127.0.0.1 is in use (another npm start?); set PORT to use another`)
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}
