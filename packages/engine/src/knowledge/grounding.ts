// The grounding check for a drafted answer (DESIGN §4 "Knowledge"): the model proposes an answer citing
// chunk ids; the engine keeps only the sentences those chunks support.
//
// Support is lexical: a sentence is supported when at least SUPPORT_THRESHOLD of its content terms
// (stemmed, stop and question words dropped) occur in the chunks it cites, and every link, email and
// number in it occurs there verbatim. This catches what matters most in customer answers — invented
// products, features, prices, dates, contacts — cheaply and deterministically. It cannot see a flipped
// negation or a wrong relation between supported words ("the Free plan costs 49 euros" when the Pro
// plan does); an entailment model would, and can be added behind the same function later.
import type { KnowledgeChunk, KnowledgeSource } from "../dialogue/context.js";
import { isPromptInjection } from "../dialogue/signals.js";
import { forbiddenMatcher, type KnowledgePolicy } from "./policy.js";
import { contentTerms, inventedTokens, sanitizeChunk, splitSentences } from "./text.js";

/** Share of a sentence's content terms the cited chunks must contain. */
export const SUPPORT_THRESHOLD = 0.75;

export type DroppedReason =
  | "forbidden_claim"
  | "instruction_like"
  | "invented_links_or_numbers"
  | "no_content"
  | "unsupported";
export type GroundedAnswer = {
  text: string;
  citations: string[];
  sources: KnowledgeSource[];
  dropped: { sentence: string; reason: DroppedReason }[];
};
export type GroundingResult =
  | { ok: true; answer: GroundedAnswer }
  | { ok: false; reason: "unknown_citation" | "ungrounded"; dropped: GroundedAnswer["dropped"] };

export const sourceOf = (c: KnowledgeChunk): KnowledgeSource => ({
  chunkId: c.id,
  ...(c.url ? { url: c.url } : {}),
  ...(c.title ? { title: c.title } : {}),
});

/** The text a chunk offers as evidence: its headings (context for short FAQ answers) and its text. */
const evidenceOf = (c: KnowledgeChunk) => `${(c.headings ?? []).join(" ")} ${c.text}`;

export function groundAnswer(
  draft: { text: string; citations: string[] },
  knowledge: KnowledgeChunk[],
  policy?: KnowledgePolicy,
): GroundingResult {
  const dropped: GroundedAnswer["dropped"] = [];
  const cited: KnowledgeChunk[] = [];
  for (const id of new Set(draft.citations)) {
    const chunk = knowledge.find((k) => k.id === id);
    if (!chunk) return { ok: false, reason: "unknown_citation", dropped };
    cited.push(sanitizeChunk(chunk));
  }
  const evidence = cited.map((c) => ({ chunk: c, text: evidenceOf(c), terms: contentTerms(evidenceOf(c)) }));
  const allEvidence = evidence.map((e) => `${e.text} ${e.chunk.url ?? ""}`).join(" ");
  const forbidden = forbiddenMatcher(policy);
  const kept: string[] = [];
  const credited = new Set<string>();
  for (const sentence of splitSentences(draft.text)) {
    const reason = ((): DroppedReason | null => {
      if (forbidden(sentence)) return "forbidden_claim";
      if (isPromptInjection(sentence)) return "instruction_like";
      if (inventedTokens(sentence, allEvidence).length > 0) return "invented_links_or_numbers";
      const terms = contentTerms(sentence);
      if (terms.size === 0) return "no_content";
      let covered = 0;
      for (const t of terms) if (evidence.some((e) => e.terms.has(t))) covered++;
      if (covered / terms.size < SUPPORT_THRESHOLD) return "unsupported";
      // Credit the cited chunks that contribute most to this sentence (the sources shown to the reader).
      const overlap = evidence.map((e) => [...terms].filter((t) => e.terms.has(t)).length);
      const best = Math.max(...overlap);
      evidence.forEach((e, i) => {
        if (overlap[i] === best) credited.add(e.chunk.id);
      });
      return null;
    })();
    if (reason) dropped.push({ sentence, reason });
    else kept.push(sentence);
  }
  if (kept.length === 0) return { ok: false, reason: "ungrounded", dropped };
  const used = cited.filter((c) => credited.has(c.id));
  return {
    ok: true,
    answer: {
      text: kept.join(" "),
      citations: used.map((c) => c.id),
      sources: used.map(sourceOf),
      dropped,
    },
  };
}
