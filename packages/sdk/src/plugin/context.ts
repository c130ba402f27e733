import type { BaseContext, Logger, PluginContext } from "./capabilities.js";
import { CAPABILITY_PERMISSION } from "./capabilities.js";
import type { Permission } from "./permissions.js";
import type { CallContext, HostApi, LogLine } from "./wire.js";

/** At most this many log lines a call keeps (the rest are counted, not sent). */
export const MAX_LOG_LINES = 100;

/**
 * Builds a handler's `ctx` over the host's API: one object per granted capability. Log lines are
 * gathered and go back with the call's result (`lines`), so the host keeps them with the call.
 */
export function buildContext<P extends Permission>(
  host: HostApi,
  context: CallContext,
  permissions: readonly P[],
  fetcher: typeof fetch,
): { ctx: PluginContext<P>; lines: () => LogLine[] } {
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
  const taken = (): LogLine[] =>
    dropped ? [...lines, { level: "warn", message: `${dropped} more log lines were dropped` }] : lines;
  return { ctx: ctx as PluginContext<P>, lines: taken };
}
