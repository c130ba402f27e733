// The offline answer: the retrieved sentences that best cover the question, quoted verbatim with their
// chunks as citations. Nothing is generated, so nothing can be invented; a question the chunks do not
// cover well enough gets no answer (the caller says it does not know) rather than a loosely related one.
import type { KnowledgeChunk } from "../dialogue/context.js";
import { type GroundedAnswer, sourceOf } from "./grounding.js";
import { forbiddenMatcher, type KnowledgePolicy } from "./policy.js";
import { contentTerms, sanitizeChunk, splitSentences } from "./text.js";

/** Share of the question's content terms a sentence (with its chunk's headings) must cover. */
export const MIN_RELEVANCE = 0.6;
const MAX_SENTENCES = 2;
const MAX_CHUNKS = 5;
const MAX_SENTENCE_CHARS = 600;

type Candidate = {
  sentence: string;
  chunk: KnowledgeChunk;
  rank: number;
  pos: number;
  score: number;
  own: number;
};

/** The retrieved sentences scored by how much of the question they cover, best first. */
function rankSentences(question: string, knowledge: KnowledgeChunk[], policy?: KnowledgePolicy): Candidate[] {
  const asked = contentTerms(question);
  if (asked.size === 0) return [];
  const forbidden = forbiddenMatcher(policy);
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  knowledge.slice(0, MAX_CHUNKS).forEach((raw, rank) => {
    const chunk = sanitizeChunk(raw);
    const heading = contentTerms((chunk.headings ?? []).join(" "));
    splitSentences(chunk.text).forEach((sentence, pos) => {
      const key = sentence.toLowerCase();
      if (seen.has(key) || sentence.length > MAX_SENTENCE_CHARS || forbidden(sentence)) return;
      seen.add(key);
      const terms = contentTerms(sentence);
      let own = 0;
      let covered = 0;
      for (const t of asked) {
        if (terms.has(t)) own++;
        if (terms.has(t) || heading.has(t)) covered++;
      }
      // A sentence must carry something: under a matching heading, a bare "Yes." is not an answer.
      if (terms.size < 2 && own === 0) return;
      candidates.push({ sentence, chunk, rank, pos, score: covered / asked.size, own });
    });
  });
  return candidates.sort((a, b) => b.score - a.score || b.own - a.own || a.rank - b.rank || a.pos - b.pos);
}

/**
 * How sure the knowledge base is of an answer: the share of the question's content terms its best
 * sentence covers (0 when it has no answer). Comparable with a route's confidence (see select.ts).
 */
export function knowledgeConfidence(
  question: string,
  knowledge: KnowledgeChunk[],
  policy?: KnowledgePolicy,
): number {
  const best = rankSentences(question, knowledge, policy)[0];
  return best && best.score >= MIN_RELEVANCE ? best.score : 0;
}

export function extractiveAnswer(
  question: string,
  knowledge: KnowledgeChunk[],
  policy?: KnowledgePolicy,
): GroundedAnswer | null {
  const candidates = rankSentences(question, knowledge, policy);
  const best = candidates[0];
  if (!best || best.score < MIN_RELEVANCE) return null;
  const picked = candidates
    // A second sentence must be nearly as relevant and name something asked itself (not only through
    // its heading), so an answer does not run on into the rest of the section.
    .filter((c) => c === best || (c.own > 0 && c.score >= Math.max(MIN_RELEVANCE, best.score - 0.2)))
    .slice(0, MAX_SENTENCES)
    // Read in the order the source wrote them.
    .sort((a, b) => a.rank - b.rank || a.pos - b.pos);
  const chunks = [...new Map(picked.map((c) => [c.chunk.id, c.chunk])).values()];
  return {
    text: picked.map((c) => c.sentence).join(" "),
    citations: chunks.map((c) => c.id),
    sources: chunks.map(sourceOf),
    dropped: [],
  };
}
