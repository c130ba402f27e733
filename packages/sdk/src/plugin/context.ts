import type { BaseContext, Logger, PluginContext } from "./capabilities.js";
import { CAPABILITY_PERMISSION } from "./capabilities.js";
import type { Permission } from "./permissions.js";
import type { CallContext, HostApi } from "./wire.js";

export type LogLine = { level: "info" | "warn" | "error"; message: string; data?: Record<string, unknown> };

/** At most this many log lines a call keeps (the rest are counted, not sent). */
export const MAX_LOG_LINES = 100;

/**
 * Builds a handler's `ctx` over the host's API: one object per granted capability. Log lines are
 * gathered and sent to the host once, when the call ends (`flush`), so none is lost to a call that
 * returns before its lines arrive.
 */
export function buildContext<P extends Permission>(
  host: HostApi,
  context: CallContext,
  permissions: readonly P[],
  fetcher: typeof fetch,
): { ctx: PluginContext<P>; flush: () => Promise<void> } {
  const lines: LogLine[] = [];
  let dropped = 0;
  const log = (level: LogLine["level"]) => (message: string, data?: Record<string, unknown>) => {
    if (lines.length < MAX_LOG_LINES)
      lines.push({ level, message: String(message).slice(0, 2000), ...(data ? { data } : {}) });
    else dropped++;
  };
  const ctx: Record<string, unknown> = {
    installId: context.installId,
    config: context.config,
    log: { info: log("info"), warn: log("warn"), error: log("error") } satisfies Logger,
    fetch: fetcher,
  } satisfies BaseContext;
  for (const [capability, methods] of Object.entries(CAPABILITY_PERMISSION)) {
    const granted = Object.entries(methods).filter(([, p]) => (permissions as readonly string[]).includes(p));
    if (granted.length === 0) continue;
    ctx[capability] = Object.fromEntries(
      granted.map(([method]) => [method, (...args: unknown[]) => host.call(capability, method, args)]),
    );
  }
  const flush = async () => {
    if (dropped) lines.push({ level: "warn", message: `${dropped} more log lines were dropped` });
    if (lines.length === 0) return;
    // Logging never fails a handler: lines that cannot be recorded are lost.
    await host.call("log", "lines", lines.splice(0)).catch(() => undefined);
  };
  return { ctx: ctx as PluginContext<P>, flush };
}
