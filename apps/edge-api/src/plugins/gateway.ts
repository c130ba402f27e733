import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env.js";
import { isPrivateHost } from "../lib/address-policy.js";
import { createLogger } from "../lib/log.js";
import { hostGranted } from "./grants.js";

// Every fetch a plugin makes arrives here (its globalOutbound): only the hosts its install granted
// answer, never a private or loopback address (loopback only in local development, for local fakes),
// and at most `perMinute` per install (grants.ts: subrequestsPerMinute). Redirects are returned to the plugin, so each hop
// comes through here again and is checked like the first.

export type GatewayProps = {
  installId: string;
  pluginId: string;
  hosts: string[];
  allowLoopback: boolean;
  perMinute: number;
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);

const windows = new Map<string, { start: number; count: number }>();

/** Counts one sub-request of an install in the current minute; false when over the budget. */
function withinBudget(installId: string, perMinute: number, now = Date.now()): boolean {
  let w = windows.get(installId);
  if (!w || now - w.start >= 60_000) {
    if (windows.size > 10_000) windows.clear();
    w = { start: now, count: 0 };
    windows.set(installId, w);
  }
  w.count++;
  return w.count <= perMinute;
}

/** Why the gateway refuses `url` for these props, or null. */
export function egressProblem(url: URL, props: GatewayProps): string | null {
  if (url.protocol !== "https:" && url.protocol !== "http:") return `${url.protocol} is not allowed`;
  const host = url.hostname.toLowerCase();
  const loopback = LOOPBACK.has(host) || /^127\./.test(host);
  if (loopback && props.allowLoopback) return null;
  if (isPrivateHost(host)) return `${host} is a private or loopback address`;
  if (!hostGranted(host, props.hosts)) return `${host} is not among the hosts this install granted`;
  return null;
}

export class PluginGateway extends WorkerEntrypoint<Env, GatewayProps> {
  override async fetch(request: Request): Promise<Response> {
    const props = this.ctx.props;
    const log = createLogger({ plugin: props.pluginId, install: props.installId });
    const problem = egressProblem(new URL(request.url), props);
    if (problem) {
      log.warn("plugin egress refused", { url: request.url, problem });
      return new Response(`egress refused: ${problem}`, { status: 403 });
    }
    if (!withinBudget(props.installId, props.perMinute)) {
      log.warn("plugin egress over budget", { url: request.url });
      return new Response("egress refused: too many requests this minute", {
        status: 429,
        headers: { "retry-after": "60" },
      });
    }
    return fetch(request, { redirect: "manual" });
  }
}
