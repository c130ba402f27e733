import { describe, expect, it } from "vitest";
import { isPrivateHost } from "../lib/address-policy.js";
import { chunkSections, contentHash } from "./chunk.js";
import { extractPage } from "./extract.js";
import { parseRobots } from "./robots.js";
import { parseSitemap } from "./sitemap.js";
import { stripInvisible } from "./text.js";
import { allowedByPolicy, normaliseUrl } from "./url-policy.js";

// The crawler's pure parts (run in workerd for HTMLRewriter).

describe("knowledge units", () => {
  it("robots.txt: own group beats *, longest rule wins, Allow wins ties", () => {
    const rules = parseRobots(
      "User-agent: *\nDisallow: /\n\nUser-agent: AutopilotCRM-KnowledgeBot\nDisallow: /private/\nAllow: /private/ok$\nCrawl-delay: 2\n",
    );
    const at = (p: string) => rules.allows(new URL(`https://a.test${p}`));
    expect(at("/")).toBe(true);
    expect(at("/private/x")).toBe(false);
    expect(at("/private/ok")).toBe(true);
    expect(at("/private/ok/more")).toBe(false);
    expect(rules.crawlDelaySeconds).toBe(2);
    expect(parseRobots("User-agent: *\nDisallow: /*.pdf$").allows(new URL("https://a.test/x.pdf"))).toBe(
      false,
    );
  });

  it("sitemap and sitemap index", () => {
    expect(
      parseSitemap("<urlset><url><loc> https://a.test/a?x=1&amp;y=2 </loc></url></urlset>").pages,
    ).toEqual(["https://a.test/a?x=1&y=2"]);
    expect(
      parseSitemap("<sitemapindex><sitemap><loc>https://a.test/s2.xml</loc></sitemap></sitemapindex>"),
    ).toEqual({
      pages: [],
      sitemaps: ["https://a.test/s2.xml"],
    });
  });

  it("URL policy: same origin, include/exclude, no fragments, private hosts", () => {
    const policy = { origin: "https://a.test", include: ["/docs/*"], exclude: ["/docs/internal*"] };
    const u = (s: string) => normaliseUrl(s) as URL;
    expect(allowedByPolicy(u("https://a.test/docs/x#frag"), policy)).toBe(true);
    expect(u("https://a.test/docs/x#frag").href).toBe("https://a.test/docs/x");
    expect(allowedByPolicy(u("https://a.test/docs/internal/y"), policy)).toBe(false);
    expect(allowedByPolicy(u("https://a.test/blog"), policy)).toBe(false);
    expect(allowedByPolicy(u("http://a.test/docs/x"), policy)).toBe(false);
    expect(allowedByPolicy(u("https://b.test/docs/x"), policy)).toBe(false);
    expect(normaliseUrl("javascript:alert(1)")).toBeNull();
    // Every notation of a private or loopback address, as the URL parser hands the hostname over.
    const host = (url: string) => new URL(url).hostname;
    for (const h of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "172.20.0.1",
      "169.254.169.254",
      "0.0.0.0",
      "100.64.0.1",
      "224.0.0.1",
      "localhost",
      "api.localhost",
      "printer.local",
      "[::1]",
      "[::]",
      "[fd00::1]",
      "[fe80::1]",
      host("http://[::ffff:127.0.0.1]:8787/docs"),
      host("http://[::ffff:7f00:1]/"),
      host("http://[::ffff:10.0.0.1]/"),
      host("http://[64:ff9b::7f00:1]/"),
      host("http://[2002:7f00:1::]/"),
      host("http://2130706433/"),
      host("http://0x7f.1/"),
      host("http://127.1/"),
      host("http://LOCALHOST./"),
    ])
      expect(isPrivateHost(h), h).toBe(true);
    for (const h of ["example.com", "8.8.8.8", "[2606:4700:4700::1111]", host("http://[::ffff:8.8.8.8]/")])
      expect(isPrivateHost(h), h).toBe(false);
  });

  it("extraction keeps title and heading paths, drops boilerplate, decodes entities, strips invisibles", async () => {
    const page = await extractPage(
      `<html><head><title>T &amp; Co</title><meta name="robots" content="nofollow"></head><body><nav><a href="/n">Nav</a></nav>
       <h1>Top</h1><p>Intro &lt;b&gt; text</p><h3>Deep</h3><p>Deep\u200B text</p><h2>Mid</h2><p>Mid text</p>
       <script>bad()</script><footer>foot</footer></body></html>`,
    );
    expect(page.title).toBe("T & Co");
    expect(page.nofollow).toBe(true);
    expect(page.links).toEqual(["/n"]);
    expect(page.sections).toEqual([
      { headingPath: ["Top"], text: "Intro <b> text" },
      { headingPath: ["Top", "Deep"], text: "Deep text" },
      { headingPath: ["Top", "Mid"], text: "Mid text" },
    ]);
    expect(stripInvisible("a\u202Eb\u{E0041}c\uFEFF")).toBe("abc");
  });

  it("chunks stay within budget with overlap; the hash ignores case and spacing", async () => {
    const text = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} says something useful.`).join(
      " ",
    );
    const chunks = chunkSections([{ headingPath: ["A", "B"], text }], { maxTokens: 100, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.tokenCount).toBeLessThanOrEqual(100);
      expect(c.headingText).toBe("A > B");
    }
    // The tail of one chunk (up to the overlap budget) opens the next.
    const lastOfFirst = chunks[0]?.text.split(/(?<=\.)\s+/).at(-1) ?? "";
    expect(lastOfFirst).not.toBe("");
    expect(chunks[1]?.text.includes(lastOfFirst)).toBe(true);
    expect(chunks[1]?.text.startsWith(chunks[0]?.text.split(/\n\n/).at(-2) ?? "")).toBe(true);
    expect(await contentHash("Hello  World")).toBe(await contentHash("hello world"));
  });
});
