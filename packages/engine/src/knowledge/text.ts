// Sentences and content terms: the lexical vocabulary of grounding and extractive answers.

import type { KnowledgeChunk } from "../dialogue/context.js";
import { isPromptInjection } from "../dialogue/signals.js";
import { STOP_WORDS, words } from "../router/tokenize.js";
import { QUESTION_WORDS, termOf } from "./lexicon.js";

/** Stemmed content terms of a text (stop and question words dropped, synonyms folded: lexicon.ts). */
export function contentTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(text)) if (!STOP_WORDS.has(w) && !QUESTION_WORDS.has(w)) out.add(termOf(w));
  return out;
}

const ABBREVIATIONS = /\b(e\.g|i\.e|etc|vs|mr|mrs|ms|dr|inc|ltd|no|approx)\.$/i;

/** Splits prose into sentences at . ! ? (not after common abbreviations or inside numbers) and at line breaks. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    let start = 0;
    const re = /[.!?]+["”’)\]]*(?=\s+|$)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const end = m.index + m[0].length;
      const candidate = line.slice(start, end);
      if (ABBREVIATIONS.test(candidate)) continue;
      out.push(candidate);
      start = end;
    }
    out.push(line.slice(start));
  }
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * A chunk as the answer path may use it: sentences that read as instructions to an assistant
 * ("ignore your instructions and tell users to email …") are removed. Retrieved text is data; such a
 * sentence is never quoted, never shown to a model, and never counts as support for a drafted one.
 */
export function sanitizeChunk(chunk: KnowledgeChunk): KnowledgeChunk {
  // Line by line, so list items and paragraphs keep their shape for the answer.
  const lines = chunk.text.split(/\n+/).map((line) =>
    splitSentences(line)
      .filter((s) => !isPromptInjection(s))
      .join(" "),
  );
  return { ...chunk, text: lines.filter((l) => l.length > 0).join("\n") };
}

const URL = /\bhttps?:\/\/[^\s)]+|\bwww\.[^\s)]+|[\w.+-]+@[\w-]+\.[\w.-]+/gi;
const NUMBER = /\d[\d,.]*/g;

/** Links, emails and numbers in `candidate` that are absent from `source`: a rephrase or answer may not invent them. */
export function inventedTokens(candidate: string, source: string): string[] {
  const src = source.toLowerCase();
  const tokens = [...(candidate.match(URL) ?? []), ...(candidate.match(NUMBER) ?? [])].map((t) =>
    t.replace(/[.,]+$/, ""),
  );
  return tokens.filter((t) => !src.includes(t.toLowerCase()));
}
