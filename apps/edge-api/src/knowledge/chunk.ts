import type { Section } from "./extract.js";

// Chunks of a few hundred tokens, split at heading boundaries first, then paragraphs, then sentences,
// with a short overlap so a fact straddling a boundary is whole in at least one chunk. Token counts
// are estimated (≈ 4 characters per token for English prose): no tokenizer ships for Workers, and a
// budget only needs to be conservative, not exact.

export type Chunk = { headingPath: string[]; headingText: string; text: string; tokenCount: number };
export type ChunkOptions = { maxTokens?: number; overlapTokens?: number };

export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
export const headingTextOf = (path: string[]) => path.join(" > ");

function pieces(text: string, maxTokens: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n{2,}/)) {
    const p = para.trim();
    if (!p) continue;
    if (estimateTokens(p) <= maxTokens) {
      out.push(p);
      continue;
    }
    for (const sentence of p.split(/(?<=[.!?])\s+/)) {
      // A "sentence" longer than a chunk (a table, a list without punctuation) is cut by length.
      for (let i = 0; i < sentence.length; i += maxTokens * 4) out.push(sentence.slice(i, i + maxTokens * 4));
    }
  }
  return out;
}

export function chunkSections(sections: Section[], options: ChunkOptions = {}): Chunk[] {
  const maxTokens = options.maxTokens ?? 350;
  const overlapTokens = options.overlapTokens ?? 50;
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const headingText = headingTextOf(section.headingPath);
    // The heading prefix counts against the budget because a prompt shows it with the text.
    const budget = Math.max(50, maxTokens - estimateTokens(headingText));
    let current: string[] = [];
    let tokens = 0;
    const emit = () => {
      const text = current.join("\n\n");
      if (text)
        chunks.push({
          headingPath: section.headingPath,
          headingText,
          text,
          tokenCount: estimateTokens(text) + estimateTokens(headingText),
        });
    };
    for (const piece of pieces(section.text, budget)) {
      const t = estimateTokens(piece);
      if (tokens + t > budget && current.length > 0) {
        emit();
        // Carry the tail of the previous chunk, up to the overlap budget.
        const carried: string[] = [];
        let carriedTokens = 0;
        for (let i = current.length - 1; i >= 0; i--) {
          const c = current[i] ?? "";
          if (carriedTokens + estimateTokens(c) > overlapTokens) break;
          carried.unshift(c);
          carriedTokens += estimateTokens(c);
        }
        current = carried;
        tokens = carriedTokens;
      }
      current.push(piece);
      tokens += t;
    }
    emit();
  }
  return chunks;
}

/** Dedupe key: whitespace- and case-insensitive, so the same boilerplate on many pages is one chunk. */
export async function contentHash(text: string): Promise<string> {
  const normal = text.toLowerCase().replace(/\s+/g, " ").trim();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(normal));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
