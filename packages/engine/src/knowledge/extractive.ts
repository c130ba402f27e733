// The offline answer: the retrieved passage that best covers the question, quoted verbatim with its
// chunk as the citation. A passage is a whole short section (an FAQ answer, a price list, a few
// sentences under one heading) or, in a long section, one sentence or list item with the sentences it
// leans on ("Below that it costs $29." is read with the sentence before it). List items stay whole and
// are narrowed to the ones the question names ("the Mini" → its rows). Nothing is generated, so nothing
// can be invented; a question no passage covers well enough gets no answer (the caller says it does
// not know) rather than a loosely related one.
import type { KnowledgeChunk } from "../dialogue/context.js";
import { STOP_WORDS, words } from "../router/tokenize.js";
import { type GroundedAnswer, sourceOf } from "./grounding.js";
import { correctSpelling, type Intent, intentOf, intentWords, QUESTION_WORDS } from "./lexicon.js";
import { forbiddenMatcher, type KnowledgePolicy } from "./policy.js";
import { contentTerms, sanitizeChunk, splitSentences } from "./text.js";

/**
 * Share of the question (its content terms and the value it asks for) a passage must cover. A word
 * the retrieved pages never use is likely the very thing they do not cover ("do you rent desks
 * monthly?"): a passage that misses one must cover more.
 */
export const MIN_RELEVANCE = 0.66;
const MIN_RELEVANCE_UNKNOWN_WORD = 0.75;
const MAX_CHUNKS = 6;
/** A section up to this long is answered whole; a longer one by its best sentence or item. */
const SHORT_SECTION_CHARS = 480;
const MAX_ANSWER_CHARS = 700;
const MAX_UNIT_CHARS = 600;
/** A sentence that opens like this continues the one before it. */
const ANAPHOR = /^(it|its|this|that|these|those|they|them|both|below that|above that|otherwise|there)\b/i;
const LIST_ITEM = /^\s*(?:[-*•]|(\d+)[.)])\s+(.*)$/;

/** A sentence or list item; `body` is an item without its number ("3. Pack…" does not answer "how many"). */
type Unit = { text: string; body: string; item: boolean; terms: Set<string> };
type Passage = { chunk: KnowledgeChunk; rank: number; pos: number; units: Unit[] } & Cover;

/**
 * What a customer asked: the question as written, or a follow-up's own words with the question before
 * it as context ("and the Mini?" after "how much is the Pro?": the Mini must be covered, the price is
 * still what is asked, and the Pro's page breaks ties).
 */
export type Asked = { question: string; context?: string; elliptical?: boolean };

type Question = {
  terms: Set<string>;
  /** The terms that ask for the value ("weight" in "max weight"): a passage holding the value covers them. */
  asking: Set<string>;
  intent: Intent | undefined;
  context: Set<string>;
  /** Terms of the question no retrieved chunk uses. */
  unknown: Set<string>;
};

const plain = (s: string) => s.replace(/\*\*|__|`/g, "").trim();
const withStop = (s: string) => (/[.!?:;)]$/.test(s) ? s : `${s}.`);

function unitsOf(text: string, title?: string): Unit[] {
  const out: Unit[] = [];
  for (const line of text.split(/\n+/)) {
    const m = LIST_ITEM.exec(line);
    if (m) {
      const body = withStop(plain(m[2] ?? ""));
      out.push({ text: m[1] ? `${m[1]}. ${body}` : body, body, item: true, terms: contentTerms(body) });
      continue;
    }
    for (const s of splitSentences(plain(line))) {
      const clauses = s.split(/;\s+/);
      if (clauses.length < 3) {
        out.push({ text: s, body: s, item: false, terms: contentTerms(s) });
        continue;
      }
      // A catalogue line ("Monitor arm $89; cable tray $39; …"): each entry is a list item of its section.
      for (const c of clauses) {
        const body = withStop(c.replace(/[.;]+$/, ""));
        out.push({ text: title ? `${title}: ${body}` : body, body, item: true, terms: contentTerms(body) });
      }
    }
  }
  return out.filter((u) => u.text.length <= MAX_UNIT_CHARS);
}

function questionOf(asked: Asked, knowledge: KnowledgeChunk[]): Question {
  const known = new Set<string>([...QUESTION_WORDS, ...STOP_WORDS]);
  const vocabulary = new Set<string>();
  for (const c of knowledge) {
    const all = `${(c.headings ?? []).join(" ")} ${c.text}`;
    for (const w of words(all)) known.add(w);
    for (const t of contentTerms(all)) vocabulary.add(t);
  }
  const question = correctSpelling(asked.question, known);
  const context = asked.context ? correctSpelling(asked.context, known) : "";
  const terms = contentTerms(question);
  return {
    terms,
    asking: contentTerms(intentWords(question)),
    intent: intentOf(question) ?? (asked.elliptical ? intentOf(context) : undefined),
    context: new Set([...contentTerms(context)].filter((t) => !terms.has(t))),
    unknown: new Set([...terms].filter((t) => !vocabulary.has(t))),
  };
}

/**
 * How a passage answers: `score` the share of the question it covers (text or headings); `valued`
 * whether its own text holds the value asked for (a price for "how much"); `topic` the asked terms its
 * own heading and its page's title name; `own` the asked terms in its text, and `density` their share of
 * the words of the sentences or items that hold them (a
 * short exact passage beats a long one that mentions everything); `context` the share of the question
 * before that it covers (follow-ups).
 */
type Cover = {
  score: number;
  valued: boolean;
  topic: number;
  own: number;
  density: number;
  context: number;
  faq: boolean;
};
const NONE: Cover = { score: 0, valued: false, topic: 0, own: 0, density: 0, context: 0, faq: false };

/** The asked terms' share of each sentence or item that holds any, on average: "LiftDesk Pro: $649" is
 * about the Pro; a bundle's sentence that also names it is about the bundle. */
function densityOf(q: Question, units: Unit[]): number {
  const shares = units.flatMap((u) => {
    const hits = [...q.terms].filter((t) => u.terms.has(t)).length;
    return hits > 0 ? [hits / u.terms.size] : [];
  });
  return shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length;
}

/** "30 desks" is covered by "25 to 99" and by "100 or more"... when 30 is in the range. */
function inRange(n: number, text: string): boolean {
  for (const m of text.matchAll(/(\d[\d,]*)\s*(?:to|–|-)\s*(\d[\d,]*)/g)) {
    const [lo, hi] = [Number(m[1]?.replace(/,/g, "")), Number(m[2]?.replace(/,/g, ""))];
    if (lo <= n && n <= hi) return true;
  }
  for (const m of text.matchAll(/(\d[\d,]*)\s*(?:or more|\+)/g))
    if (Number(m[1]?.replace(/,/g, "")) <= n) return true;
  return false;
}

function cover(q: Question, chunk: KnowledgeChunk, units: Unit[], whole: boolean): Cover {
  const size = q.terms.size + (q.intent ? 1 : 0);
  if (size === 0 || units.length === 0) return NONE;
  const path = chunk.headings ?? [];
  const headingText = path.join(" ");
  const heading = contentTerms(headingText);
  const text = units.map((u) => u.body).join(" ");
  const mine = new Set(units.flatMap((u) => [...u.terms]));
  let covered = 0;
  let own = 0;
  const valued = q.intent?.covers.test(text) ?? false;
  for (const t of q.terms) {
    const inText = mine.has(t) || (/^\d+$/.test(t) && inRange(Number(t), text));
    if (inText) own++;
    if (inText || heading.has(t) || (valued && q.asking.has(t))) covered++;
  }
  if (valued) {
    covered++;
    own++;
  } else if (q.intent && intentOf(headingText)?.name === q.intent.name) covered++;
  let context = 0;
  for (const t of q.context) if (mine.has(t) || heading.has(t)) context++;
  const contextShare = q.context.size === 0 ? 0 : context / q.context.size;
  // A follow-up with no subject of its own ("how long does it take?") is about the question before.
  if (q.terms.size === 0 && q.context.size > 0 && contextShare < MIN_RELEVANCE) return NONE;
  const last = path.length > 1 ? (path.at(-1) ?? "") : "";
  const lastTerms = contentTerms(last);
  const titleTerms = contentTerms(path[0] ?? "");
  const named = [...q.terms].filter((t) => lastTerms.has(t)).length;
  const topic =
    named +
    [...q.terms].filter((t) => titleTerms.has(t)).length +
    (q.intent?.heading.test(headingText) ? 1 : 0);
  // An FAQ entry: its heading asks the question, and its text answers it in other words.
  const faq = named + (q.intent && intentOf(last)?.name === q.intent.name ? 1 : 0) >= MIN_RELEVANCE * size;
  // A whole short section under headings that name the question ("FlexSeat > Materials" for "what is
  // the chair made of?") answers it, though its text never repeats the words.
  const titled =
    whole && covered >= MIN_RELEVANCE * size && [...q.terms].every((t) => heading.has(t) || mine.has(t));
  return {
    score: covered / size,
    valued,
    topic,
    own,
    density: densityOf(q, units),
    context: contextShare,
    faq: (faq && last !== "") || titled,
  };
}

/** A list narrowed to the items that answer most of the question, when those are not all of them. */
function narrow(q: Question, units: Unit[]): Unit[] {
  const items = units.filter((u) => u.item);
  if (items.length < 2) return units;
  const hits = (u: Unit, terms: Set<string>) =>
    [...terms].filter((t) => u.terms.has(t) || (/^\d+$/.test(t) && inRange(Number(t), u.body))).length +
    (terms === q.terms && q.intent?.covers.test(u.body) ? 1 : 0);
  for (const terms of [q.terms, q.context]) {
    const scores = items.map((u) => hits(u, terms));
    const top = Math.max(...scores);
    if (top === 0) continue;
    const keep = items.filter((_, i) => scores[i] === top);
    if (keep.length === items.length) return units;
    return units.filter((u) => !u.item || keep.includes(u));
  }
  return units;
}

function passages(q: Question, knowledge: KnowledgeChunk[], policy?: KnowledgePolicy): Passage[] {
  const forbidden = forbiddenMatcher(policy);
  const out: Passage[] = [];
  knowledge.slice(0, MAX_CHUNKS).forEach((raw, rank) => {
    const chunk = sanitizeChunk(raw);
    const path = chunk.headings ?? [];
    const title = path.length > 1 ? path.at(-1) : undefined;
    const units = unitsOf(chunk.text, title).filter((u) => !forbidden(u.text));
    const add = (pos: number, picked: Unit[], whole = false) => {
      // A passage must carry something: under a matching heading, a bare "Yes." is not an answer.
      if (new Set(picked.flatMap((u) => [...u.terms])).size < 2) return;
      out.push({ chunk, rank, pos, units: picked, ...cover(q, chunk, picked, whole) });
    };
    const length = units.reduce((n, u) => n + u.text.length + 1, 0);
    if (length <= SHORT_SECTION_CHARS) {
      add(0, narrow(q, units), true);
      return;
    }
    units.forEach((u, i) => {
      const picked = [u];
      const before = units[i - 1];
      const after = units[i + 1];
      if (!u.item && before && !before.item && ANAPHOR.test(u.text)) picked.unshift(before);
      if (!u.item && after && !after.item && ANAPHOR.test(after.text)) picked.push(after);
      add(i, picked);
    });
  });
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      b.context - a.context ||
      Number(b.valued) - Number(a.valued) ||
      b.topic - a.topic ||
      b.own - a.own ||
      b.density - a.density ||
      a.rank - b.rank ||
      a.pos - b.pos,
  );
}

function best(asked: Asked | string, knowledge: KnowledgeChunk[], policy?: KnowledgePolicy) {
  const a: Asked = typeof asked === "string" ? { question: asked } : asked;
  // The passages are best first: the first that covers enough, with words of its own or as an FAQ entry.
  const q = questionOf(a, knowledge);
  const enough = q.unknown.size > 0 ? MIN_RELEVANCE_UNKNOWN_WORD : MIN_RELEVANCE;
  return passages(q, knowledge, policy).find((p) => p.score >= enough && (p.own > 0 || p.faq));
}

/**
 * How sure the knowledge base is of an answer: the share of the question its best passage covers (0
 * when it has no answer). Comparable with a route's confidence (see select.ts).
 */
export function knowledgeConfidence(
  asked: Asked | string,
  knowledge: KnowledgeChunk[],
  policy?: KnowledgePolicy,
): number {
  return best(asked, knowledge, policy)?.score ?? 0;
}

export function extractiveAnswer(
  asked: Asked | string,
  knowledge: KnowledgeChunk[],
  policy?: KnowledgePolicy,
): GroundedAnswer | null {
  const top = best(asked, knowledge, policy);
  if (!top) return null;
  const kept: string[] = [];
  let length = 0;
  for (const u of top.units) {
    if (kept.length > 0 && length + u.text.length > MAX_ANSWER_CHARS) break;
    kept.push(u.text);
    length += u.text.length + 1;
  }
  return {
    text: kept.join(" "),
    citations: [top.chunk.id],
    sources: [sourceOf(top.chunk)],
    dropped: [],
  };
}

/** A drafted answer's cited chunks must cover at least this share of the question (see `onTopic`). */
export const MIN_DRAFT_RELEVANCE = 0.5;

/**
 * Whether the chunks a model's draft cites are about the question at all. Grounding proves each
 * sentence is in the chunks; it cannot see that the chunks answer something else ("do you sell
 * sofas?" answered with a true sentence about desks). More lenient than the offline answer's bar: a
 * model may answer in words the pages do not repeat.
 */
export function onTopic(asked: Asked | string, cited: KnowledgeChunk[]): boolean {
  const a: Asked = typeof asked === "string" ? { question: asked } : asked;
  const q = questionOf(a, cited);
  if (q.terms.size === 0 && !q.intent) return true;
  return cited.some((raw) => {
    const chunk = sanitizeChunk(raw);
    return cover(q, chunk, unitsOf(chunk.text), true).score >= MIN_DRAFT_RELEVANCE;
  });
}
