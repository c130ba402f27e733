// The Worker a plugin's bundle exports (the CLI's build wraps the plugin in it): the host calls its
// `invoke`, and the plugin reaches the host only through env.API.
// @ts-expect-error: "cloudflare:workers" exists where the bundle runs (workerd), not in the SDK's own types.
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Plugin } from "./define.js";
import type { CallContext, HostApi, PluginResult } from "./wire.js";

type Base = new (...args: unknown[]) => { env: { API: HostApi } };

export function pluginWorker(plugin: Plugin) {
  return class PluginWorker extends (WorkerEntrypoint as unknown as Base) {
    async invoke(call: unknown, context: CallContext): Promise<PluginResult> {
      return plugin.invoke(call, context, this.env.API);
    }
  };
}
