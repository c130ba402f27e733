import { type AppLoadContext, redirect } from "react-router";
import { api } from "./api.server.js";

// One GET /v1/me per page load: the layout's loader and the screen's (requireAdmin) run side by side
// in one request and share it. Keyed by the request's load context, which worker/index.ts makes per
// request. Only for GETs: after an action (which may change the caller) the loaders ask again.
const meOfRequest = new WeakMap<AppLoadContext, ReturnType<typeof fetchMe>>();

/**
 * The signed-in caller (GET /v1/me with the browser's session cookie), or a redirect to the login page
 * that comes back here afterwards. Every screen behind the app layout gets it from the layout's loader.
 */
export function requireMe(request: Request, context: AppLoadContext) {
  if (request.method !== "GET") return fetchMe(request, context);
  let me = meOfRequest.get(context);
  if (!me) {
    me = fetchMe(request, context);
    meOfRequest.set(context, me);
  }
  return me;
}

async function fetchMe(request: Request, context: AppLoadContext) {
  const { data, response } = await api(request, context).GET("/v1/me");
  if (data) return data;
  if (response.status === 401) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  throw new Response("The API is not answering", { status: 502 });
}

/** Where to go after signing in: only a path on this site (never an open redirect). */
export function safeNext(value: string | null | undefined, fallback = "/"): string {
  return value?.startsWith("/") && !value.startsWith("//") ? value : fallback;
}
