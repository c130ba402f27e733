import type { Source } from "./types.js";

// Sources under a knowledge answer become links; only http(s) addresses do (a javascript: or data:
// URL from a crawled page must never become clickable), each page once.

export type SourceLink = { href: string; label: string };

export function sourceLinks(sources: Source[] | undefined): SourceLink[] {
  const out: SourceLink[] = [];
  const seen = new Set<string>();
  for (const s of sources ?? []) {
    if (!s.url) continue;
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      continue;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") continue;
    url.hash = "";
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    const label = s.title?.trim() || url.hostname + (url.pathname === "/" ? "" : url.pathname);
    out.push({ href: url.href, label });
  }
  return out;
}
