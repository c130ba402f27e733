import { CRAWLER_AGENT } from "./robots.js";
import { allowedByPolicy, normaliseUrl, type UrlPolicy } from "./url-policy.js";

// One bounded HTTP fetch for the crawler: redirects followed by hand (so every hop is checked against
// the origin and the loop guard), a deadline covering headers and body, a byte cap enforced while
// streaming (Content-Length may be absent or lie), a content-type allow-list, and conditional GET.

export type FetchLimits = { timeoutMs: number; maxBytes: number; maxRedirects: number };
export type Validators = { etag?: string | null; lastModified?: string | null };

export type FetchResult =
  | {
      kind: "ok";
      url: URL;
      body: string;
      contentType: string;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: "not_modified" }
  | { kind: "skipped" | "failed"; reason: string; status?: number };

const HTML_TYPES = ["text/html", "application/xhtml+xml"];

export async function fetchPage(
  start: URL,
  policy: UrlPolicy,
  limits: FetchLimits,
  options: { validators?: Validators; accept?: string[] } = {},
): Promise<FetchResult> {
  const accept = options.accept ?? HTML_TYPES;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const seen = new Set<string>();
  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      seen.add(url.href);
      const headers: Record<string, string> = { "user-agent": CRAWLER_AGENT, accept: accept.join(", ") };
      // Validators only on the first hop: they belong to the URL we stored them for.
      if (hop === 0 && options.validators?.etag) headers["if-none-match"] = options.validators.etag;
      if (hop === 0 && options.validators?.lastModified)
        headers["if-modified-since"] = options.validators.lastModified;
      const res = await fetch(url.href, { headers, redirect: "manual", signal });
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await res.body?.cancel();
        const next = normaliseUrl(res.headers.get("location") ?? "", url.href);
        if (!next) return { kind: "failed", reason: "bad_redirect", status: res.status };
        if (!allowedByPolicy(next, policy))
          return { kind: "skipped", reason: "redirect_off_origin", status: res.status };
        if (seen.has(next.href)) return { kind: "failed", reason: "redirect_loop", status: res.status };
        if (hop + 1 > limits.maxRedirects)
          return { kind: "failed", reason: "too_many_redirects", status: res.status };
        url = next;
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: "not_modified" };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { kind: "failed", reason: `http_${res.status}`, status: res.status };
      }
      const contentType = (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!accept.includes(contentType)) {
        await res.body?.cancel();
        return { kind: "skipped", reason: "content_type", status: res.status };
      }
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > limits.maxBytes) {
        await res.body?.cancel();
        return { kind: "skipped", reason: "too_large", status: res.status };
      }
      const body = await readCapped(res, limits.maxBytes);
      if (body === null) return { kind: "skipped", reason: "too_large", status: res.status };
      return {
        kind: "ok",
        url,
        body,
        contentType,
        etag: res.headers.get("etag"),
        lastModified: res.headers.get("last-modified"),
      };
    }
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError" || signal.aborted)
      return { kind: "failed", reason: "timeout" };
    return { kind: "failed", reason: "network_error" };
  }
}

/** The body as text, or null once it exceeds `maxBytes` (the rest is not downloaded). */
async function readCapped(res: Response, maxBytes: number): Promise<string | null> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let total = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
