// A customer's message as the knowledge base is asked it: a follow-up ("and the Mini?", "what about
// Canada?", "how long does it take?") is read with the question before it, and the retrieval query
// carries the words the pages use for what was asked ("guaranteed" also finds "warranty", "how much"
// also finds "Prices").
import { STOP_WORDS, words } from "../router/tokenize.js";
import type { Asked } from "./extractive.js";
import { correctSpelling, intentOf, LEXICON_WORDS, QUESTION_WORDS, synonymsOf, termOf } from "./lexicon.js";
import { contentTerms } from "./text.js";

export type KnowledgeQuestion = Asked & {
  /** The knowledge base answers this rather than a playbook: a follow-up, or "what do you sell?". */
  direct?: boolean;
  /** What retrieval is asked: the question's (and its context's) content words and their synonyms. */
  query: string;
};

const FOLLOW_UP = [
  /^(?:and|but|also|ok(?:ay)?,?|so)?\s*(?:what|how) about\s+(.+?)[?.!\s]*$/i,
  /^and\s+(?:for\s+|in\s+|to\s+|with\s+)?(.+?)[?.!\s]*$/i,
  /^(?:same|what) for\s+(.+?)[?.!\s]*$/i,
  /^(.+?)\s+(?:too|as well)[?.!\s]*$/i,
];
/** "What do you sell?": asked of the pages about what the business makes. */
const ABOUT =
  /^(what|which) (products? )?(do|does) (you|your (company|business|shop|store|team)) (sell|offer|make|do|have)\b|^what (is|are) your (products?|range)\b|^what does (your|the) (product|company|business) do\b|^what can i buy\b/i;
const ABOUT_QUESTION = "What products do you make";

/** A short question about "it" leans on the one before ("how long does it take?"). */
const LEANS = /\b(it|that|this|they|them|those|one)\b/i;
const KNOWN = new Set([...LEXICON_WORDS, ...QUESTION_WORDS, ...STOP_WORDS]);
/** Retrieval reads at most 8 words (knowledge_lexical_search): the question's own words come first. */
const QUERY_WORDS = 8;

export function retrievalQuery(question: string): string {
  const own = words(question).filter((w) => !STOP_WORDS.has(w) && !QUESTION_WORDS.has(w));
  const out = new Set(own.slice(0, QUERY_WORDS));
  const extra: string[] = [];
  for (const w of own) {
    // The group's first word is the one the pages most likely use ("guaranteed" → "warranty").
    const [head, second] = synonymsOf(termOf(w));
    if (head && head !== w) extra.push(head);
    else if (second) extra.push(second);
  }
  const intent = intentOf(question);
  if (intent?.word) extra.push(intent.word);
  for (const w of extra) if (out.size < QUERY_WORDS) out.add(w);
  return out.size > 0 ? [...out].join(" ") : question;
}

/** The message as the knowledge base is asked it, given the last question it was asked (if any). */
export function knowledgeQuestion(said: string, previous?: string): KnowledgeQuestion {
  // Misspelt service words ("warrenty", "retrun") would find nothing: they are fixed before retrieval.
  const text = correctSpelling(said, KNOWN);
  if (ABOUT.test(text)) return { question: ABOUT_QUESTION, direct: true, query: "designs sells make range" };
  const followUp = previous ? followUpOf(text) : undefined;
  if (!followUp || !previous) return { question: text, query: retrievalQuery(text) };
  return {
    question: followUp.own,
    context: previous,
    elliptical: followUp.elliptical,
    direct: followUp.elliptical,
    query: retrievalQuery(`${followUp.own} ${previous}`),
  };
}

/** The question the next follow-up leans on: an elliptical one still leans on the one it followed. */
export function questionToRemember(q: KnowledgeQuestion): string {
  return q.elliptical && q.context
    ? q.context
    : q.context && contentTerms(q.question).size === 0
      ? q.context
      : q.question;
}

function followUpOf(text: string): { own: string; elliptical: boolean } | undefined {
  for (const re of FOLLOW_UP) {
    const fragment = re.exec(text.trim())?.[1];
    if (fragment && contentTerms(fragment).size > 0 && fragment.split(/\s+/).length <= 5)
      return { own: fragment, elliptical: true };
  }
  if (LEANS.test(text) && contentTerms(text).size <= 2 && text.split(/\s+/).length <= 7)
    return { own: text, elliptical: false };
  return undefined;
}
