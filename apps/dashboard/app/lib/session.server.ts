import { type AppLoadContext, redirect } from "react-router";
import { api } from "./api.server.js";

/**
 * The signed-in caller (GET /v1/me with the browser's session cookie), or a redirect to the login page
 * that comes back here afterwards. Every screen behind the app layout gets it from the layout's loader.
 */
export async function requireMe(request: Request, context: AppLoadContext) {
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
