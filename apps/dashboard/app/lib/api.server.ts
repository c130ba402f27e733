import createClient from "openapi-fetch";
import type { AppLoadContext } from "react-router";
import { clientHeaders } from "../../worker/api-proxy.js";
import type { components, paths } from "./api-schema.js";

export type ApiError = components["schemas"]["Error"]["error"];
export type Api = ReturnType<typeof api>;

const CSRF_COOKIE = "ap_csrf";

/**
 * The typed edge-api client for one incoming request (loaders and actions; server side only). It calls
 * edge-api through the service binding as the signed-in user: the browser's cookies, the CSRF token
 * edge-api wants on cookie-authenticated mutations (read from its cookie), and the client's IP.
 * Cookies edge-api sets (login, logout) are collected: pass `api.setCookies()` on to the browser
 * (see `redirectWithCookies`).
 */
export function api(request: Request, context: AppLoadContext) {
  const setCookies: string[] = [];
  const headers: Record<string, string> = { ...clientHeaders(request) };
  const cookie = request.headers.get("cookie");
  if (cookie) {
    headers.cookie = cookie;
    const csrf = readCookie(cookie, CSRF_COOKIE);
    if (csrf) headers["x-csrf-token"] = csrf;
  }
  const client = createClient<paths>({
    baseUrl: "http://edge-api",
    headers,
    fetch: (req) => context.cloudflare.env.API.fetch(req),
  });
  client.use({
    onResponse({ response }) {
      setCookies.push(...response.headers.getSetCookie());
    },
  });
  return Object.assign(client, { setCookies: () => [...setCookies] });
}

export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** Headers carrying the Set-Cookie lines edge-api sent (sign in / sign out) to the browser. */
export function cookieHeaders(client: Api, extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  for (const line of client.setCookies()) headers.append("set-cookie", line);
  return headers;
}
