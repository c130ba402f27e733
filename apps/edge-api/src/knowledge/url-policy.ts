// Which URLs a website source may crawl. Same origin only (scheme + host + port of the start URL), so
// a crawl can never wander to another site or be redirected to one; include/exclude are glob-like
// path patterns ("/docs/*"), matched against pathname + search.

export type UrlPolicy = { origin: string; include: string[]; exclude: string[] };

/** The canonical form used as the page key: no fragment, so "#a" and "#b" are one page. */
export function normaliseUrl(raw: string, base?: string): URL | null {
  let url: URL;
  try {
    url = base ? new URL(raw, base) : new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  url.username = "";
  url.password = "";
  return url;
}

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re;
}

export function allowedByPolicy(url: URL, policy: UrlPolicy): boolean {
  if (url.origin !== policy.origin) return false;
  const path = url.pathname + url.search;
  if (policy.exclude.some((p) => glob(p).test(path))) return false;
  return policy.include.length === 0 || policy.include.some((p) => glob(p).test(path));
}

/**
 * Hosts a tenant may not point the crawler at: loopback and private ranges (server-side request
 * forgery). Tests allow them explicitly (KNOWLEDGE_ALLOW_LOCAL_HOSTS) because the fixture site is local.
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".internal") || h.endsWith(".local"))
    return true;
  if (h === "::1" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80")) return h.includes(":");
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}
