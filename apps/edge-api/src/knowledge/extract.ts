import { decodeEntities, stripInvisible, tidy } from "./text.js";

// Main-content extraction with HTMLRewriter (streaming, no DOM): boilerplate containers are dropped,
// the title and h1–h3 become the heading path of what follows them, and links are collected from the
// whole page (navigation is boilerplate to read but the best map of the site to crawl).

export type Section = { headingPath: string[]; text: string };
export type ExtractedPage = {
  title: string;
  sections: Section[];
  links: string[];
  /** <meta name="robots" content="noindex"> */
  noindex: boolean;
  /** <meta name="robots" content="nofollow">: links are not followed. */
  nofollow: boolean;
};

const DROP =
  "nav, footer, header, script, style, aside, noscript, template, svg, iframe, form, [hidden], [aria-hidden=true]";
const BLOCK =
  "p, div, li, br, tr, h4, h5, h6, section, article, main, blockquote, pre, dd, dt, table, ul, ol";
const MAX_LINKS = 2_000;

export async function extractPage(html: string): Promise<ExtractedPage> {
  let dropDepth = 0;
  let inTitle = false;
  let title = "";
  let heading: { level: number; text: string } | null = null;
  const stack: string[] = [];
  const sections: Section[] = [];
  let buffer = "";
  const links: string[] = [];
  let noindex = false;
  let nofollow = false;

  const flush = () => {
    const text = tidy(stripInvisible(decodeEntities(buffer)));
    if (text) sections.push({ headingPath: [...stack], text });
    buffer = "";
  };

  const rewriter = new HTMLRewriter()
    .on("title", {
      element(el) {
        inTitle = true;
        el.onEndTag(() => {
          inTitle = false;
        });
      },
    })
    .on("meta[name=robots]", {
      element(el) {
        const content = (el.getAttribute("content") ?? "").toLowerCase();
        noindex ||= content.includes("noindex") || content.includes("none");
        nofollow ||= content.includes("nofollow") || content.includes("none");
      },
    })
    .on("a[href]", {
      element(el) {
        const rel = (el.getAttribute("rel") ?? "").toLowerCase();
        const href = el.getAttribute("href");
        if (href && !rel.includes("nofollow") && links.length < MAX_LINKS) links.push(decodeEntities(href));
      },
    })
    .on(DROP, {
      element(el) {
        dropDepth++;
        el.onEndTag(() => {
          dropDepth--;
        });
      },
    })
    .on("h1, h2, h3", {
      element(el) {
        if (dropDepth > 0) return;
        flush();
        const level = Number(el.tagName.slice(1));
        heading = { level, text: "" };
        el.onEndTag(() => {
          const h = heading;
          heading = null;
          if (!h) return;
          const text = tidy(stripInvisible(decodeEntities(h.text))).replace(/\n/g, " ");
          if (!text) return;
          stack.length = Math.min(stack.length, h.level - 1);
          while (stack.length < h.level - 1) stack.push("");
          stack.push(text);
        });
      },
    })
    .on(BLOCK, {
      element() {
        if (dropDepth === 0 && !heading) buffer += "\n\n";
      },
    })
    .onDocument({
      text(chunk) {
        if (inTitle) title += chunk.text;
        else if (dropDepth > 0) return;
        else if (heading) heading.text += chunk.text;
        else buffer += chunk.text;
      },
    });

  await rewriter.transform(new Response(html)).arrayBuffer();
  flush();
  const cleanTitle = tidy(stripInvisible(decodeEntities(title))).replace(/\n/g, " ");
  // Empty levels (an h3 with no h2 above it) are dropped from the path.
  for (const s of sections) s.headingPath = s.headingPath.filter(Boolean);
  return { title: cleanTitle, sections, links, noindex, nofollow };
}
