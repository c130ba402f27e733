// Which URLs a website source may crawl. Same origin only (scheme + host + port of the start URL), so
// a crawl can never wander to another site or be redirected to one; include/exclude are glob-like
// path patterns ("/docs/*"), matched against pathname + search. Which hosts may be fetched at all is
// the one address policy of lib/address-policy.ts.

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
