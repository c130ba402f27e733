// Sitemaps (sitemaps.org): <urlset><url><loc> pages, or a <sitemapindex> of further sitemaps. Parsed
// with a bounded regular expression, not a DOM: Workers have no XML parser and we need only <loc>.

export type Sitemap = { pages: string[]; sitemaps: string[] };

const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

export function parseSitemap(xml: string, limit = 50_000): Sitemap {
  const isIndex = /<sitemapindex[\s>]/i.test(xml);
  const locs: string[] = [];
  const re = /<loc>\s*(?:<!\[CDATA\[)?([^<\]]+?)(?:\]\]>)?\s*<\/loc>/gi;
  for (let m = re.exec(xml); m && locs.length < limit; m = re.exec(xml)) locs.push(decode(m[1] ?? "").trim());
  return isIndex ? { pages: [], sitemaps: locs } : { pages: locs, sitemaps: [] };
}

export const looksLikeSitemap = (url: URL) => /\.xml(\.gz)?$/i.test(url.pathname);
