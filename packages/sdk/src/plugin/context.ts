import type { BaseContext, Logger, PluginContext } from "./capabilities.js";
import { CAPABILITY_PERMISSION } from "./capabilities.js";
import type { Permission } from "./permissions.js";
import type { CallContext, HostApi } from "./wire.js";

/** Builds a handler's `ctx` over the host's API: one object per granted capability. */
export function buildContext<P extends Permission>(
  host: HostApi,
  context: CallContext,
  permissions: readonly P[],
  fetcher: typeof fetch,
): PluginContext<P> {
  const log = (level: string) => (message: string, data?: Record<string, unknown>) => {
    // Logging never fails a handler: a line that cannot be recorded is dropped.
    void host.call("log", level, { message, data }).catch(() => undefined);
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
  return ctx as PluginContext<P>;
}
