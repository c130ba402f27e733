// The customer's words for what the pages say another way: synonym groups folded to one term, and
// question intents ("how much", "how long") that a passage answers with a price or a duration rather
// than with the same words. Small and hand-kept on purpose: each entry was added for a customer
// question the answer evaluation (scripts/eval/answers.json) missed.
import { stemmer as stem } from "stemmer";
import { words } from "../router/tokenize.js";

const GROUPS: string[][] = [
  ["ship", "shipping", "shipped", "deliver", "delivery", "delivered", "deliveries"],
  ["return", "returns", "returning", "refund", "refunds", "exchange"],
  ["warranty", "guarantee", "guaranteed", "guarantees"],
  // "=": this word only, not its stem ("installation" is not financing).
  ["financing", "finance", "=instalment", "=instalments", "=installment", "=installments", "monthly"],
  ["weight", "heavy", "weigh", "weighs"],
  ["height", "tall", "high", "heights", "higher"],
  ["noise", "loud", "noisy", "quiet", "db"],
  ["colour", "colours", "color", "colors"],
  ["child", "children", "kid", "kids"],
  ["assemble", "assembly", "assembling", "build", "building"],
  ["clean", "cleaning", "wash", "washing"],
  ["material", "materials", "made"],
  ["employ", "employs", "employees", "employee", "people", "staff"],
  ["found", "founded", "established", "started"],
  ["second", "used", "secondhand"],
  ["product", "products", "make", "makes", "range"],
  ["kingdom", "uk", "britain"],
  ["european", "eu", "europe"],
  ["states", "usa", "america"],
  ["cable", "cables", "wire", "wires", "cord", "cords"],
  ["email", "mail", "e-mail"],
  ["phone", "call", "telephone", "number"],
  ["address", "located", "location", "based"],
  ["hours", "open", "opening"],
  ["discount", "discounts", "off"],
  ["lock", "locked", "child-lock"],
  ["trial", "try", "tried", "trying"],
  ["management", "hide", "manage", "tidy", "organise", "organize"],
  ["keep", "kept", "retain", "retained"],
  ["collision", "hit", "hits", "bump", "bumps", "obstacle"],
  ["american", "amex"],
];

const CANONICAL = new Map<string, string>();
/** The words themselves first: "instalments" and "installation" share a stem, not a meaning. */
const BY_WORD = new Map<string, string>();
for (const group of GROUPS) {
  const head = stem(group[0] as string);
  for (const entry of group) {
    const w = entry.replace(/^=/, "");
    if (!entry.startsWith("=")) CANONICAL.set(stem(w), head);
    BY_WORD.set(w, head);
  }
}

/** A stemmed term folded to its group's term ("delivery" → "ship"). */
export const canonical = (term: string): string => CANONICAL.get(term) ?? term;

/** A word's term: its Porter stem ("moving" and "move" → "move"), folded to its synonym group. */
export const termOf = (word: string): string => BY_WORD.get(word) ?? canonical(stem(word));

/** The words of a group, for widening a retrieval query ("guaranteed" also looks for "warranty"). */
export function synonymsOf(term: string): string[] {
  const head = canonical(term);
  return (GROUPS.find((g) => stem(g[0] as string) === head) ?? []).map((w) => w.replace(/^=/, ""));
}

/** Every word the lexicon knows: customers' misspellings of them are corrected before retrieval. */
export const LEXICON_WORDS: ReadonlySet<string> = new Set(GROUPS.flat().map((w) => w.replace(/^=/, "")));

export type Intent = {
  name: string;
  covers: RegExp;
  /** A word the pages use for this kind of value, added to the retrieval query ("Prices"). */
  word: string;
  /** A heading about this kind of value ("Refund timing" answers "how long until my refund?"). */
  heading: RegExp;
};

/** Questions whose answer is a kind of value, not a repeated word: checked in order, first wins. */
const INTENTS: { asks: RegExp; intent: Intent }[] = [
  {
    asks: /\bhow (heavy|much weight|much does it weigh)\b|\bweigh(s|t)?\b/i,
    intent: {
      name: "⟨weight⟩",
      word: "weight",
      heading: /\b(weight|capacity|fits?)\b/i,
      covers: /\b\d+(\.\d+)?\s?(kg|lb|lbs)\b/i,
    },
  },
  {
    asks: /\bhow (long|soon|quickly)\b|\bwhen will\b|\bhow much time\b/i,
    intent: {
      name: "⟨duration⟩",
      word: "",
      heading: /\b(times?|timing|how long|when)\b/i,
      covers:
        /\b\d+(\s?[–-]\s?\d+)?(\s|-)(business |working )?(days?|weeks?|months?|years?|hours?|minutes?|nights?)\b|\bsame day\b|\b(one|two|three|four|five|six|seven|ten|twelve) (business )?(days?|weeks?|months?|years?)\b/i,
    },
  },
  {
    asks: /\bhow much\b|\b(cost|costs|price|prices|pricing|priced|expensive|cheap|cheaper|cheapest|fee|fees)\b/i,
    intent: {
      name: "⟨price⟩",
      word: "price",
      heading: /\b(prices?|pricing|costs?|fees?)\b/i,
      covers:
        /[$€£]\s?\d|\b\d+(\.\d+)?\s?(usd|eur|euros?|dollars?|pounds?|gbp)\b|\bfree\b|\b\d+%|\bno (extra )?(fee|cost|charge)\b/i,
    },
  },
  {
    asks: /\bhow fast\b|\bspeed\b/i,
    intent: {
      name: "⟨speed⟩",
      word: "speed",
      heading: /\bspeed\b/i,
      // "How fast do you reply?" is answered by a duration; "how fast does it move?" by a speed.
      covers:
        /\bper (second|minute|hour)\b|\/s\b|\b\d+(\s?[–-]\s?\d+)?(\s|-)(business |working )?(days?|hours?|minutes?)\b|\b(one|two|three) (business )?(days?|hours?)\b/i,
    },
  },
  {
    asks: /\bhow (tall|high|big|wide|thick|deep|large|small)\b|\bwhat size\b|\bdimensions?\b/i,
    intent: {
      name: "⟨size⟩",
      word: "size",
      heading: /\b(sizes?|dimensions?|fits?)\b/i,
      covers: /\b\d+(\.\d+)?\s?(cm|mm|m|in|inch|inches|ft)\b/i,
    },
  },
  {
    asks: /\b(e-?mail)( address)?\??$|\b(what|which)('s| is)? (the |your )?e-?mail\b|\bwho (do|should) i e-?mail\b|\be-?mail for\b/i,
    intent: {
      name: "⟨email⟩",
      word: "contact",
      heading: /\b(contact|reach)\b/i,
      covers: /[\w.+-]+@[\w-]+\.[\w.]+/,
    },
  },
  {
    asks: /\bphone( number)?\??$|\b(what|which)('s| is)? (the |your )?(phone|telephone|number)\b|\bcall you\b/i,
    intent: {
      name: "⟨phone⟩",
      word: "contact",
      heading: /\b(contact|reach)\b/i,
      covers: /\+?\d[\d ().-]{7,}\d/,
    },
  },
  {
    asks: /\bhow many\b/i,
    intent: {
      name: "⟨count⟩",
      word: "",
      heading: /$^/,
      covers: /\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten)\b/i,
    },
  },
  {
    asks: /\b(what time|opening hours|hours|when (are|is) .*open|open on)\b/i,
    intent: {
      name: "⟨time⟩",
      word: "hours",
      heading: /\b(hours|opening)\b/i,
      covers: /\b\d{1,2}(:\d\d)?\s?(am|pm)\b|\b\d{1,2}:\d\d\b/i,
    },
  },
];

/** The value the question asks for, if it asks for one. */
export function intentOf(question: string): Intent | undefined {
  return INTENTS.find((i) => i.asks.test(question))?.intent;
}

/** The words that ask for the value ("weight" in "max weight for the chair"): the intent stands for them. */
export function intentWords(question: string): string {
  return INTENTS.find((i) => i.asks.test(question))?.asks.exec(question)?.[0] ?? "";
}

/** Words that shape a question but carry no subject ("how much is…", "can you tell me about…"). */
export const QUESTION_WORDS: ReadonlySet<string> = new Set(
  (
    "what whats which who whom whose when where why how much many does did has have had not no yes " +
    "tell know about want need like get got also very really thing things something anything way " +
    "they them their us he she his her if then than as by from into up out over more most " +
    "still just actually possible able ok okay today take takes give see find look looking " +
    "long soon quickly fast cost costs price prices pricing priced expensive cheap fee fees " +
    "much time does do done go going offer offers carry provide visit bought purchased valid " +
    "work works mean means happen happens choose pick until after before during while again ever " +
    "every each other same too only own should would could might must shall will can may " +
    "which someone anyone somebody anybody i'm im ive i've you're youre come comes different good " +
    "away say says said show shows max maximum min minimum country countries display displays"
  ).split(" "),
);

/**
 * One typo apart: two neighbours swapped ("mcuh"), or, in words of six letters or more, one letter
 * inserted, dropped or changed ("finacing"). Shorter words are left alone: "move" is not "more".
 */
function oneTypo(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return true;
    return a.length >= 6 && a.slice(i + 1) === b.slice(i + 1);
  }
  if (Math.min(a.length, b.length) < 6) return false;
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

/**
 * A customer's words as the pages spell them: a misspelt word (one typo away from exactly one known
 * word) and two words the pages write as one ("lift desk" → "liftdesk").
 */
export function correctSpelling(text: string, known: ReadonlySet<string>): string {
  const raw = words(text);
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < raw.length; i++) {
    const w = raw[i] as string;
    const next = raw[i + 1];
    if (next !== undefined && !known.has(w) && known.has(w + next)) {
      out.push(w + next);
      i++;
      changed = true;
      continue;
    }
    if (w.length >= 4 && !known.has(w) && !/\d/.test(w)) {
      const near = [...known].filter((k) => k.length >= 4 && oneTypo(w, k));
      if (near.length === 1) {
        out.push(near[0] as string);
        changed = true;
        continue;
      }
    }
    out.push(w);
  }
  // Unchanged text keeps its punctuation and case (a question mark still marks a question).
  return changed ? out.join(" ") : text;
}
