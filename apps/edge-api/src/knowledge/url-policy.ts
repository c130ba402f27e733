import ipaddr from "ipaddr.js";

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

/** Names that always mean this machine or a private network, whatever they resolve to. */
const PRIVATE_NAMES = [
  /^localhost$/,
  /\.localhost$/,
  /\.local$/,
  /\.internal$/,
  /\.home\.arpa$/,
  /^metadata\.google\.internal$/,
];

/**
 * Hosts a tenant may not point the crawler at (server-side request forgery): every address that is
 * not public unicast, in any notation the URL parser accepts (IPv4-mapped IPv6, NAT64, 6to4 and
 * Teredo forms of a private IPv4 address included), classified by ipaddr.js, and local names.
 * Local development allows them (KNOWLEDGE_ALLOW_LOCAL_HOSTS, set by `npm start` and the tests only).
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (!ipaddr.isValid(h)) return PRIVATE_NAMES.some((re) => re.test(h));
  const address = ipaddr.parse(h);
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    const embedded = embeddedIPv4(v6);
    if (embedded) return embedded.range() !== "unicast";
  }
  return address.range() !== "unicast";
}

/** The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4, Teredo), if any. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const parts = v6.parts;
  const range = v6.range();
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  if (range === "rfc6052" || range === "rfc6145") return fromWords(parts[6] ?? 0, parts[7] ?? 0);
  if (range === "6to4") return fromWords(parts[1] ?? 0, parts[2] ?? 0);
  // Teredo carries the client's address inverted in the last two words.
  if (range === "teredo") return fromWords((parts[6] ?? 0) ^ 0xffff, (parts[7] ?? 0) ^ 0xffff);
  return null;
}
