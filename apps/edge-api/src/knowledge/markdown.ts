import { Lexer, type Token, type Tokens } from "marked";
import type { Section } from "./extract.js";
import { decodeEntities, stripInvisible, tidy } from "./text.js";

// Markdown and plain-text documents into heading sections (pure; no Workers API, so the knowledge
// evaluation and benchmark run the same code in Node). marked's lexer reads the Markdown; this keeps
// the words a reader sees and drops the syntax around them. Headings # to ### form the heading path,
// as h1–h3 do for HTML; deeper headings stay in the text as a line of their own.

export type ParsedDocument = { title: string; sections: Section[] };

/** Inline tokens to plain words: images to their alt text, links to their text, no emphasis marks. */
function inlineText(tokens: Token[] | undefined): string {
  return decodeEntities(inlineWords(tokens));
}

function inlineWords(tokens: Token[] | undefined): string {
  let out = "";
  for (const t of tokens ?? []) {
    if (t.type === "br") out += "\n";
    else if (t.type === "image") out += (t as Tokens.Image).text;
    else if (t.type === "html" || t.type === "tag") out += " ";
    else if ("tokens" in t && t.tokens?.length) out += inlineWords(t.tokens);
    else if ("text" in t && typeof t.text === "string") out += t.text;
  }
  return out;
}

type Push = (...lines: string[]) => void;

/** Block tokens to lines of text (blank lines between blocks), headings to `heading`. */
function blockLines(tokens: Token[], push: Push, heading: (level: number, text: string) => void): void {
  for (const t of tokens) {
    switch (t.type) {
      case "heading":
        heading((t as Tokens.Heading).depth, inlineText(t.tokens));
        break;
      case "paragraph":
      case "text":
        push(inlineText(t.tokens?.length ? t.tokens : [t]), "");
        break;
      case "code":
        push("", (t as Tokens.Code).text, "");
        break;
      case "blockquote":
        blockLines((t as Tokens.Blockquote).tokens, push, heading);
        break;
      case "list": {
        const list = t as Tokens.List;
        list.items.forEach((item, i) => {
          const lines: string[] = [];
          blockLines(item.tokens, (...l) => lines.push(...l), heading);
          const text = tidy(lines.join("\n"));
          const marker = list.ordered ? `${Number(list.start || 1) + i}. ` : "- ";
          if (text) push(marker + text.replace(/\n+/g, "\n  "));
        });
        push("");
        break;
      }
      case "table": {
        const table = t as Tokens.Table;
        const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens)).join(" | ");
        push(row(table.header), ...table.rows.map(row), "");
        break;
      }
      case "html":
        // Raw HTML in a document: its words, without tags, comments or scripts.
        push(
          decodeEntities(
            (t as Tokens.HTML).text
              .replace(/<!--[\s\S]*?-->|<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
              .replace(/<[^>]*>/g, " "),
          ),
          "",
        );
        break;
      default:
        // hr, space and link definitions carry no words of their own.
        push("");
    }
  }
}

export function parseMarkdown(source: string, fallbackTitle = ""): ParsedDocument {
  let text = stripInvisible(source.replace(/\r\n?/g, "\n"));
  let title = "";
  // YAML front matter: only its title is of interest.
  const front = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text);
  if (front) {
    for (const l of (front[1] ?? "").split("\n")) {
      const m = /^title:\s*["']?(.*?)["']?\s*$/.exec(l);
      if (m?.[1]) title = m[1];
    }
    text = text.slice(front[0].length);
  }
  const sections: Section[] = [];
  const stack: string[] = [];
  let buffer: string[] = [];
  const flush = () => {
    const body = tidy(buffer.join("\n"));
    if (body) sections.push({ headingPath: stack.filter(Boolean), text: body });
    buffer = [];
  };
  const heading = (level: number, raw: string) => {
    const name = tidy(raw).replace(/\n/g, " ");
    if (!name) return;
    if (level > 3) {
      buffer.push("", name, "");
      return;
    }
    flush();
    if (level === 1 && !title) title = name;
    stack.length = Math.min(stack.length, level - 1);
    while (stack.length < level - 1) stack.push("");
    stack.push(name);
  };
  // Lines go to the current section's buffer: a heading flushes it and starts the next.
  blockLines(new Lexer({ gfm: true }).lex(text), (...l) => buffer.push(...l), heading);
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
