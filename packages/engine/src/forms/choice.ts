// Choices: exact label/value/synonym, option number ("2", "the second one"), whole-word mention, then typos
// (edit distance scaled to length). Two equally good matches are ambiguous rather than guessed.
import type { ChoiceOption } from "../routes/schema.js";
import { type Extraction, fail } from "./types.js";

const ORDINALS = [
  "first",
  "second",
  "third",
  "fourth",
  "fifth",
  "sixth",
  "seventh",
  "eighth",
  "ninth",
  "tenth",
];
const NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

const norm = (s: string): string =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), capped at max + 1. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return Math.min(d[a.length]?.[b.length] as number, max + 1);
}

const namesOf = (o: ChoiceOption): string[] =>
  [o.label, o.value, ...(o.synonyms ?? [])].map(norm).filter(Boolean);

function unique(matches: ChoiceOption[]): Extraction<string> | null {
  const distinct = [...new Set(matches.map((m) => m.value))];
  if (distinct.length === 1) return { ok: true, value: distinct[0] as string };
  return distinct.length > 1 ? fail("ambiguous") : null;
}

/** 1-based option number the customer named, if any. */
function optionNumber(t: string, words: string[]): number | null {
  const numeric = t.match(
    /^(?:option |number |no |choice |the )?(\d{1,2})(?:st|nd|rd|th)?(?: one| option)?$/,
  );
  if (numeric) return Number(numeric[1]);
  for (const w of words) {
    const ordinal = ORDINALS.indexOf(w);
    if (ordinal >= 0) return ordinal + 1;
  }
  // A bare number word ("two", "number two") but not inside a longer sentence.
  const n = words.length <= 2 ? NUMBERS.indexOf(words[words.length - 1] ?? "") : -1;
  return n >= 0 ? n + 1 : null;
}

export function extractChoice(text: string, options: ChoiceOption[]): Extraction<string> {
  const t = norm(text);
  if (!t) return fail("empty");
  const exact = unique(options.filter((o) => namesOf(o).includes(t)));
  if (exact) return exact;
  // Mentioned as whole words in a sentence: "I'd like the premium plan".
  const padded = ` ${t} `;
  const mentioned = unique(options.filter((o) => namesOf(o).some((n) => padded.includes(` ${n} `))));
  if (mentioned) return mentioned;
  // Option number: "2", "#2", "option 2", "the second one", "number two".
  const words = t.split(" ");
  const pos = optionNumber(t, words);
  if (pos !== null && pos >= 1 && pos <= options.length)
    return { ok: true, value: (options[pos - 1] as ChoiceOption).value };
  // Typos: best distance per option, within ~1 edit per 4 characters, against the whole text or any word run.
  const scored = options.map((o) => {
    let best = Number.POSITIVE_INFINITY;
    for (const n of namesOf(o)) {
      const max = Math.max(1, Math.floor(n.length / 4));
      const size = n.split(" ").length;
      const grams = [t, ...words.map((_, i) => words.slice(i, i + size).join(" "))];
      for (const g of grams) {
        const d = g.length >= 3 || n.length <= 3 ? editDistance(g, n, max) : max + 1;
        if (d <= max) best = Math.min(best, d);
      }
    }
    return { o, best };
  });
  const min = Math.min(...scored.map((s) => s.best));
  if (!Number.isFinite(min)) return fail("not_found");
  return unique(scored.filter((s) => s.best === min).map((s) => s.o)) ?? fail("not_found");
}
