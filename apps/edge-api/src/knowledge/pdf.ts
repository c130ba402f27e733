import { extractText, getDocumentProxy } from "unpdf";
import type { ParsedDocument } from "./markdown.js";
import { stripInvisible, tidy } from "./text.js";

// PDF text with unpdf (pdf.js built for serverless runtimes: no worker thread, no canvas; runs in
// workerd). A PDF has no reliable headings, so each page is a section "<title> > Page N": a citation
// can then name the page. Scanned PDFs (images only) have no text layer and give no sections.

export async function parsePdf(bytes: Uint8Array, title: string): Promise<ParsedDocument> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const pdf = await getDocumentProxy(bytes.slice());
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const sections = text
      .map((page, i) => ({ headingPath: [title, `Page ${i + 1}`], text: tidy(stripInvisible(page)) }))
      .filter((s) => s.text.length > 0);
    return { title, sections };
  } finally {
    await pdf.loadingTask.destroy();
  }
}
