import type { Env } from "../env.js";
import type { PluginApiProps } from "./api.js";
import { getBundle, sha256Of } from "./bundles.js";
import type { GatewayProps } from "./gateway.js";
import { subrequestsPerMinute } from "./grants.js";
import type { InstallRecord } from "./installs.js";

// One Dynamic Worker per (tenant, plugin, version, grants): an isolate never serves two workspaces, so
// nothing one tenant's call leaves in a module global reaches another's. The loader may keep the
// isolate warm and must always get the same code for an id, so everything the code depends on is in it.

export const PLUGIN_COMPATIBILITY_DATE = "2026-04-01";
/** Production's limits per invocation (Cloudflare enforces them; workerd locally does not). */
export const PLUGIN_LIMITS = { cpuMs: 50, subRequests: 50 };

type LoaderExports = {
  PluginApi: (options: { props: PluginApiProps }) => Fetcher;
  PluginGateway: (options: { props: GatewayProps }) => Fetcher;
};

/** The plugin's entrypoint for this install (loaded on first use). */
export async function pluginEntrypoint(
  env: Pick<Env, "LOADER" | "PLUGIN_BUNDLES" | "LOCAL_DEVELOPMENT">,
  install: InstallRecord,
  options: { allowLoopback?: boolean } = {},
) {
  const allowLoopback = options.allowLoopback ?? env.LOCAL_DEVELOPMENT === "1";
  const api: PluginApiProps = {
    tenantId: install.tenantId,
    installId: install.id,
    pluginId: install.pluginId,
    permissions: [...install.grantedPermissions].sort(),
    channel: install.manifest.channel?.id ?? null,
  };
  const gateway: GatewayProps = {
    installId: install.id,
    pluginId: install.pluginId,
    hosts: [...install.grantedHosts].sort(),
    allowLoopback,
    perMinute: subrequestsPerMinute(install.manifest.kinds),
  };
  const grants = (await sha256Of(new TextEncoder().encode(JSON.stringify({ api, gateway })))).slice(0, 16);
  const id = `${install.tenantId}:${install.pluginId}@${install.version}:${install.bundleSha256.slice(0, 16)}:${grants}`;
  // The worker's own entrypoints as loopback stubs (imported here, not at the top: the OpenAPI
  // document is built in Node from the routes, where "cloudflare:workers" does not exist).
  const loopback = (await import("cloudflare:workers")).exports as unknown as LoaderExports;
  const stub = env.LOADER.get(id, async () => ({
    compatibilityDate: PLUGIN_COMPATIBILITY_DATE,
    mainModule: "plugin.js",
    modules: { "plugin.js": await getBundle(env, install.bundleSha256) },
    env: { API: loopback.PluginApi({ props: api }) },
    globalOutbound: loopback.PluginGateway({ props: gateway }),
    limits: PLUGIN_LIMITS,
  }));
  return stub.getEntrypoint() as unknown as {
    invoke(call: unknown, context: unknown): Promise<unknown>;
  };
}
