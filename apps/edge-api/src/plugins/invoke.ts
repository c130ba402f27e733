import type { Database } from "@autopilot/db";
import { type LogLine, type PluginCall, PluginResult } from "@autopilot/sdk";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";
import type { Mailer } from "../mail/mailer.js";
import { recordOutcome } from "./calls.js";
import type { InstallRecord } from "./installs.js";
import { pluginEntrypoint } from "./load.js";
import { tellAdminsPaused } from "./paused.js";

// Calling a plugin, with the limits the host enforces itself (workerd enforces none locally, and a
// plugin is untrusted code): a wall-clock deadline, a cap on the answer's size, the answer's shape
// checked, and a breaker that pauses an install after PAUSE_AFTER failures in a row.

export const PLUGIN_CALL_TIMEOUT_MS = 5_000;
export const MAX_RESULT_BYTES = 256 * 1024;
export const PAUSE_AFTER = 5;

export type InvokeFailure = "paused" | "timeout" | "crashed" | "malformed" | "too_large" | "plugin_error";
export type InvokeOutcome =
  | { ok: true; value: unknown; ms: number; logs?: LogLine[] }
  | { ok: false; code: InvokeFailure; message: string; ms: number; logs?: LogLine[] };

/** What running plugins needs of the worker's environment. */
export type PluginEnv = Pick<
  Env,
  "LOADER" | "PLUGIN_BUNDLES" | "LOCAL_DEVELOPMENT" | "APP_URL" | "AI_MASTER_KEY"
>;

export type InvokeDeps = {
  env: PluginEnv;
  db: Database;
  mailer: Mailer;
  timeoutMs?: number;
  /** Tests only: load as deployed (no loopback egress) under local development. */
  allowLoopback?: boolean;
};

class Timeout extends Error {}

function deadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function invokePlugin(
  deps: InvokeDeps,
  install: InstallRecord,
  call: PluginCall,
): Promise<InvokeOutcome> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  if (install.status !== "active")
    return { ok: false, code: "paused", message: "the install is paused", ms: 0 };
  const outcome = await attempt(deps, install, call, ms);
  const log = createLogger({ plugin: install.pluginId, install: install.id });
  for (const line of outcome.logs ?? []) log[line.level](`plugin: ${line.message}`, line.data ?? {});
  // Every failure counts, the plugin's own error answers too: a plugin that always throws is as
  // broken as one that crashes.
  const failure = outcome.ok ? null : `${outcome.code}: ${outcome.message}`;
  const record = {
    kind: call.kind,
    name: callName(call),
    ok: outcome.ok,
    code: outcome.ok ? null : outcome.code,
    error: outcome.ok ? null : outcome.message,
    ms: outcome.ms,
    logs: outcome.logs ?? [],
  };
  const paused = await recordOutcome(deps.db, install, failure, PAUSE_AFTER, record).catch(
    (error: unknown) => {
      log.warn("could not record a plugin call", { error: String(error) });
      return false;
    },
  );
  if (paused && failure) {
    createLogger({ plugin: install.pluginId, install: install.id }).warn("plugin paused", { failure });
    await tellAdminsPaused(deps.db, deps.mailer, install, failure, deps.env.APP_URL).catch((error: unknown) =>
      createLogger({ install: install.id }).error("could not tell admins of a paused plugin", {
        error: String(error),
      }),
    );
  }
  return outcome;
}

function attempt(
  deps: InvokeDeps,
  install: InstallRecord,
  call: PluginCall,
  ms: () => number,
): Promise<InvokeOutcome> {
  return callPlugin(
    () => pluginEntrypoint(deps.env, install, { allowLoopback: deps.allowLoopback }),
    call,
    { installId: install.id, config: install.config },
    deps.timeoutMs ?? PLUGIN_CALL_TIMEOUT_MS,
    ms,
  );
}

type Entrypoint = { invoke(call: unknown, context: unknown): Promise<unknown> };

/** One call of a loaded plugin, its answer held to the deadline, the size cap and the wire shape. */
export async function callPlugin(
  load: () => Promise<Entrypoint>,
  call: PluginCall,
  context: { installId: string; config: Record<string, unknown> },
  timeoutMs: number,
  ms: () => number,
): Promise<InvokeOutcome> {
  let raw: unknown;
  try {
    const plugin = await load();
    raw = await deadline(plugin.invoke(call, context), timeoutMs);
  } catch (error) {
    if (error instanceof Timeout)
      return { ok: false, code: "timeout", message: `no answer within ${timeoutMs} ms`, ms: ms() };
    return {
      ok: false,
      code: "crashed",
      message: String(error instanceof Error ? error.message : error).slice(0, 500),
      ms: ms(),
    };
  }
  let size: number;
  try {
    size = new TextEncoder().encode(JSON.stringify(raw) ?? "").length;
  } catch {
    return { ok: false, code: "malformed", message: "the answer is not JSON", ms: ms() };
  }
  if (size > MAX_RESULT_BYTES)
    return {
      ok: false,
      code: "too_large",
      message: `the answer has ${size} bytes (at most ${MAX_RESULT_BYTES})`,
      ms: ms(),
    };
  const result = PluginResult.safeParse(raw);
  if (!result.success)
    return { ok: false, code: "malformed", message: "the answer is not a plugin result", ms: ms() };
  const logs = result.data.logs ?? [];
  if (!result.data.ok)
    return {
      ok: false,
      code: "plugin_error",
      message: `${result.data.error.code}: ${result.data.error.message}`,
      ms: ms(),
      logs,
    };
  return { ok: true, value: result.data.value, ms: ms(), logs };
}

/** What the call record names: the event type, report, send's message or handler. */
function callName(call: PluginCall): string {
  if (call.kind === "event") return String(call.event.type ?? "");
  if (call.kind === "report") return call.id;
  if (call.kind === "send") return call.message.messageId;
  if (call.kind === "install") return "install";
  if (call.kind === "email") return call.email.messageId;
  return call.name;
}
