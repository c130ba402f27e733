import { join } from "node:path";

/** The wrangler installed in node_modules (never a global one). */
export const wranglerBin = (root: string) => join(root, "node_modules", ".bin", "wrangler");

/**
 * Environment for wrangler: no metrics, no fetch of the `cf` object (works offline), and its config and
 * logs under .data/ instead of the home directory.
 */
export function wranglerEnv(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: join(root, ".data", "xdg-config"),
    WRANGLER_LOG_PATH: join(root, ".data", "wrangler-logs"),
  };
}
