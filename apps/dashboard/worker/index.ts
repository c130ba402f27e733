// Aliased in wrangler.toml to build/server/index.js (written by `react-router build`).
import * as build from "virtual:react-router/server-build";
import { createRequestHandler, type ServerBuild } from "react-router";
import { forwardToApi, isApiPath } from "./api-proxy.js";
import type { Env, WorkerContext } from "./env.js";

const handleRequest = createRequestHandler(build as unknown as ServerBuild, "production");

export default {
  async fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response> {
    const url = new URL(request.url);
    if (isApiPath(url.pathname)) return forwardToApi(request, env.API);
    // Actions run with the user's cookies: refuse form posts sent from another site's page (SameSite=Lax
    // already keeps the cookies off cross-site POSTs; this also covers same-site subdomains).
    if (request.method !== "GET" && request.method !== "HEAD") {
      const origin = request.headers.get("origin");
      if (origin && origin !== url.origin)
        return new Response("cross-origin form post refused", { status: 403 });
    }
    return handleRequest(request, { cloudflare: { env, ctx } });
  },
};
