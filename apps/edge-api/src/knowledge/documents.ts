import type { ParsedDocument } from "./markdown.js";
import { parseMarkdown, parsePlainText, withTitle } from "./markdown.js";

// Uploaded documents: which formats are accepted, and their text as heading sections. HTML goes
// through the crawler's extraction (HTMLRewriter: h1–h3 headings, boilerplate dropped), Markdown
// through markdown.ts (# to ###), PDF through pdf.ts (loaded only when a PDF comes, it is large).

export const DOCUMENT_FORMATS = ["markdown", "html", "text", "pdf"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

const BY_TYPE: Record<string, DocumentFormat> = {
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "text/plain": "text",
  "application/pdf": "pdf",
};
const BY_EXTENSION: Record<string, DocumentFormat> = {
  md: "markdown",
  markdown: "markdown",
  html: "html",
  htm: "html",
  txt: "text",
  text: "text",
  pdf: "pdf",
};
export const DOCUMENT_CONTENT_TYPES = Object.keys(BY_TYPE);

/**
 * The format of an upload from its content type, or from the file name's extension when the type
 * says nothing (application/octet-stream, or text/plain for a .md file, as many tools send it).
 */
export function documentFormat(contentType: string, fileName: string): DocumentFormat | null {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";
  const byExt = BY_EXTENSION[ext];
  if (type === "" || type === "application/octet-stream" || (type === "text/plain" && byExt === "markdown"))
    return byExt ?? null;
  return BY_TYPE[type] ?? null;
}

/** Text as UTF-8 (a BOM is dropped by the decoder; invalid bytes become U+FFFD, never a crash). */
const utf8 = (bytes: Uint8Array) => new TextDecoder("utf-8").decode(bytes);

export async function parseDocument(
  format: DocumentFormat,
  bytes: Uint8Array,
  title: string,
): Promise<ParsedDocument> {
  switch (format) {
    case "markdown":
      return parseMarkdown(utf8(bytes), title);
    case "text":
      return parsePlainText(utf8(bytes), title);
    case "html": {
      const { extractPage } = await import("./extract.js");
      const page = await extractPage(utf8(bytes));
      const pageTitle = page.title || title;
      return { title: pageTitle, sections: withTitle(page.sections, pageTitle) };
    }
    case "pdf": {
      const { parsePdf } = await import("./pdf.js");
      return parsePdf(bytes, title);
    }
  }
}
