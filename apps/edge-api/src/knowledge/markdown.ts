import type { Section } from "./extract.js";
import { decodeEntities, stripInvisible, tidy } from "./text.js";

// Markdown and plain-text documents into heading sections (pure; no Workers API, so the knowledge
// evaluation and benchmark run the same code in Node). Headings # to ### form the heading path, as
// h1–h3 do for HTML; deeper headings stay in the text as a line of their own. This is not a full
// CommonMark parser: it keeps the words a reader sees and drops the syntax around them.

export type ParsedDocument = { title: string; sections: Section[] };

const ATX = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

/** Inline syntax to plain words: images to their alt text, links to their text, no emphasis marks. */
export function inlineText(line: string): string {
  return decodeEntities(
    line
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
      .replace(/<[^>\n]+>/g, " ")
      .replace(/`([^`]*)`/g, "$1")
      .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
      .replace(/(^|[\s(])[*_](?=\S)(.+?)(?<=\S)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
      .replace(/^ {0,3}>[ \t]?/, "")
      .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/, "")
      .replace(/\s*\|\s*/g, " | ")
      .replace(/^ \| | \| $/g, ""),
  );
}

export function parseMarkdown(source: string, fallbackTitle = ""): ParsedDocument {
  let lines = stripInvisible(source.replace(/\r\n?/g, "\n")).split("\n");
  let title = "";
  // YAML front matter: only its title is of interest.
  if (lines[0]?.trim() === "---") {
    const end = lines.indexOf("---", 1);
    if (end > 0) {
      for (const l of lines.slice(1, end)) {
        const m = /^title:\s*["']?(.*?)["']?\s*$/.exec(l);
        if (m?.[1]) title = m[1];
      }
      lines = lines.slice(end + 1);
    }
  }
  const sections: Section[] = [];
  const stack: string[] = [];
  let buffer: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const text = tidy(buffer.join("\n"));
    if (text) sections.push({ headingPath: stack.filter(Boolean), text });
    buffer = [];
  };
  const heading = (level: number, raw: string) => {
    const text = tidy(inlineText(raw)).replace(/\n/g, " ");
    if (!text) return;
    if (level > 3) {
      buffer.push("", text, "");
      return;
    }
    flush();
    if (level === 1 && !title) title = text;
    stack.length = Math.min(stack.length, level - 1);
    while (stack.length < level - 1) stack.push("");
    stack.push(text);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1]?.[0] === fence[0] && (f[1]?.length ?? 0) >= fence.length) fence = null;
      else buffer.push(line);
      continue;
    }
    if (f?.[1]) {
      fence = f[1];
      buffer.push("");
      continue;
    }
    const atx = ATX.exec(line);
    if (atx?.[1]) {
      heading(atx[1].length, atx[2] ?? "");
      continue;
    }
    // Setext heading: a text line underlined with === (h1) or --- (h2); a lone --- is a rule.
    const next = lines[i + 1] ?? "";
    const setext = SETEXT.exec(next);
    if (setext?.[1] && line.trim() && !/^\s*[-*+] /.test(line)) {
      heading(setext[1][0] === "=" ? 1 : 2, line);
      i++;
      continue;
    }
    if (/^ {0,3}([-*_])( *\1){2,} *$/.test(line)) {
      buffer.push("");
      continue;
    }
    buffer.push(inlineText(line));
  }
  flush();
  return { title: title || fallbackTitle, sections: withTitle(sections, title || fallbackTitle) };
}

/** Plain text: paragraphs as they are, under the document's name. */
export function parsePlainText(source: string, title: string): ParsedDocument {
  const text = tidy(stripInvisible(source.replace(/\r\n?/g, "\n")));
  return { title, sections: withTitle(text ? [{ headingPath: [], text }] : [], title) };
}

/** Text before the first heading gets the document title as its path, as the crawler does for pages. */
export function withTitle(sections: Section[], title: string): Section[] {
  return sections.map((s) => (s.headingPath.length > 0 || !title ? s : { ...s, headingPath: [title] }));
}
