import type { ServiceBinding } from "./env.js";

/** Browser-facing prefix of the API: `/api/v1/me` on the dashboard is `/v1/me` on edge-api. */
export const API_PREFIX = "/api";

export const isApiPath = (pathname: string) =>
  pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);

/**
 * Forwards a browser request for `/api/*` to edge-api with the prefix stripped. Cookies go both ways
 * untouched (the session cookie is first-party on the dashboard's origin); the client IP is passed in
 * CF-Connecting-IP (what edge-api's per-IP limits read) and appended to X-Forwarded-For. WebSocket
 * upgrades pass through as well (the Response carries the socket).
 */
export function forwardToApi(request: Request, api: ServiceBinding): Promise<Response> {
  const url = new URL(request.url);
  const target = new URL(url.pathname.slice(API_PREFIX.length) || "/", url);
  target.search = url.search;
  const forwarded = new Request(target, request);
  for (const [name, value] of Object.entries(clientHeaders(request))) forwarded.headers.set(name, value);
  forwarded.headers.set("x-forwarded-host", url.host);
  forwarded.headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  return api.fetch(forwarded);
}

/** CF-Connecting-IP and X-Forwarded-For for a call made on behalf of `request`'s client. */
export function clientHeaders(request: Request): Record<string, string> {
  const ip = request.headers.get("cf-connecting-ip");
  if (!ip) return {};
  const chain = request.headers.get("x-forwarded-for");
  return { "cf-connecting-ip": ip, "x-forwarded-for": chain ? `${chain}, ${ip}` : ip };
}
