import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { answers200, waitUntil } from "../lib/wait.js";
import { wranglerBin, wranglerEnv } from "../lib/wrangler.js";
import type { Stack } from "./types.js";

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const KEEP_OUTPUT_CHARS = 20_000;

/**
 * Runs `wrangler dev <args>` (a worker in workerd) until `readyUrl` answers 200; its output is kept
 * quiet until then and shown on failure, then printed live with a `[label]` prefix. Stopping reaches
 * workerd too (own process group).
 */
export async function startWranglerDev(opts: {
  stack: Stack;
  label: string;
  args: string[];
  readyUrl: string;
  /** Extra environment for wrangler itself. */
  env?: Record<string, string>;
}): Promise<{ stop: () => Promise<void> }> {
  const { stack, label } = opts;
  // Own process group, so stopping reaches workerd too, and Ctrl-C reaches only us (we stop it).
  const child = spawn(wranglerBin(stack.root), ["dev", ...opts.args], {
    cwd: stack.root,
    env: { ...wranglerEnv(stack.root), ...stack.wranglerEnv, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const killOnExit = () => killGroup(child, "SIGKILL");
  process.on("exit", killOnExit);

  let output = "";
  let live = false;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    if (live) process.stdout.write(prefixLines(text, `[${label}] `));
    else output = (output + text).slice(-KEEP_OUTPUT_CHARS);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `wrangler exited (${signal ?? `code ${code}`})`;
    if (live) stack.crashed(label, exited);
  });

  const ready = await waitUntil({
    probe: () => answers200(opts.readyUrl),
    timeoutMs: READY_TIMEOUT_MS,
    abort: () => exited,
  });
  if (!ready.ok) {
    await stopChild(child);
    process.off("exit", killOnExit);
    throw new Error(
      `${label} did not answer ${opts.readyUrl}: ${ready.reason}\n--- wrangler output ---\n${output}`,
    );
  }
  live = true;
  return {
    stop: async () => {
      live = false;
      await stopChild(child);
      process.off("exit", killOnExit);
    },
  };
}

export async function assertPortFree(port: number, envName: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `port ${port} on 127.0.0.1 is in use (another npm start?); set ${envName} to use another`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

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
