import ipaddr from "ipaddr.js";

// The one address policy for every server-side fetch of a URL a tenant gave us (website crawls, AI
// endpoints, and later webhooks and plugins): no loopback, private, link-local or otherwise
// non-public address in any notation, nor a local name, outside local development; and a redirect is
// checked again at every hop, so a public address cannot send the server to a private one.

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
 * Hosts a tenant may not make the server fetch (server-side request forgery): every address that is
 * not public unicast, in any notation the URL parser accepts (IPv4-mapped IPv6, NAT64, 6to4 and
 * Teredo forms of a private IPv4 address included), classified by ipaddr.js, and local names.
 * Local development allows them (LOCAL_DEVELOPMENT, set by `npm start` and the tests only).
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

/** Why the server may not fetch `raw`, or null when it may. */
export function outboundUrlProblem(raw: string, allowLocal: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must start with http:// or https://";
  if (!allowLocal && isPrivateHost(url.hostname))
    return "must be a public host (not loopback, a private network or a local name)";
  return null;
}

export class BlockedAddressError extends Error {}

const MAX_REDIRECTS = 5;

/**
 * fetch, with redirects followed by hand: each hop must be http(s), and a hop from a public host may not
 * lead to a private one. (A private start was accepted by outboundUrlProblem only in local
 * development, so its own redirects are left alone.) For clients that take a fetch, like OpenAI's SDK.
 */
export const guardedFetch: typeof fetch = (input, init) => fetchWithPolicy(input, init, isPrivateHost);

/** guardedFetch with the host classifier given (tests pass one that calls their local server public). */
export async function fetchWithPolicy(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  isPrivate: (hostname: string) => boolean,
): Promise<Response> {
  let request = new Request(input, init);
  const startsPrivate = isPrivate(new URL(request.url).hostname);
  for (let hop = 0; ; hop++) {
    const res = await fetch(request, { redirect: "manual" });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    if (!location) return res;
    if (hop >= MAX_REDIRECTS) throw new BlockedAddressError("too many redirects");
    const next = new URL(location, request.url);
    if (next.protocol !== "http:" && next.protocol !== "https:")
      throw new BlockedAddressError("redirect to a non-http URL");
    if (!startsPrivate && isPrivate(next.hostname))
      throw new BlockedAddressError("redirect to a private address");
    // 303 (and 301/302 after a POST, as browsers do) continues as a GET without a body.
    const asGet =
      res.status === 303 || ((res.status === 301 || res.status === 302) && request.method === "POST");
    request = asGet
      ? new Request(next, { method: "GET", headers: request.headers, signal: request.signal })
      : new Request(next, request);
  }
}
