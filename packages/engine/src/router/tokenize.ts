// Text normalisation for the lexical router: lower case, accents and contractions folded, light stemming.
// Deliberately small and language-light: the char n-grams (features.ts) absorb what the stemmer misses.

const CONTRACTIONS: Record<string, string[]> = {
  dont: ["do", "not"],
  doesnt: ["does", "not"],
  didnt: ["did", "not"],
  cant: ["can", "not"],
  cannot: ["can", "not"],
  wont: ["will", "not"],
  isnt: ["is", "not"],
  arent: ["are", "not"],
  wasnt: ["was", "not"],
  werent: ["were", "not"],
  havent: ["have", "not"],
  hasnt: ["has", "not"],
  hadnt: ["had", "not"],
  couldnt: ["could", "not"],
  shouldnt: ["should", "not"],
  wouldnt: ["would", "not"],
  im: ["i", "am"],
  ive: ["i", "have"],
  whats: ["what", "is"],
  hows: ["how", "is"],
  u: ["you"],
  ur: ["your"],
  pls: ["please"],
  plz: ["please"],
  thx: ["thanks"],
};

/** Words so common that as unigrams they only add noise; they still take part in bigrams. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an the i me my mine we our you your it its this that these those is am are was were be been being " +
    "do does did to of in on at for with and or so just please can could would will should hi hello hey " +
    "there here some any"
  ).split(" "),
);

const SUFFIXES: Record<string, string> = {
  "n't": "not",
  "'re": "are",
  "'m": "am",
  "'ve": "have",
  "'ll": "will",
  "'d": "would",
};

function pushWord(out: string[], tok: string): void {
  const apos = tok.indexOf("'");
  if (apos >= 0) {
    // Contractions: "can't" -> can not, "we're" -> we are, possessive "'s" dropped.
    let base = tok;
    let extra: string | undefined;
    if (tok.endsWith("n't")) {
      base = tok === "won't" ? "will" : tok === "can't" ? "can" : tok.slice(0, -3);
      extra = "not";
    } else {
      const suffix = tok.slice(apos);
      extra = SUFFIXES[suffix];
      base = extra !== undefined || suffix === "'s" ? tok.slice(0, apos) : tok;
    }
    for (const part of base.split("'")) if (part !== "") out.push(part);
    if (extra !== undefined) out.push(extra);
    return;
  }
  const expanded = Object.hasOwn(CONTRACTIONS, tok) ? CONTRACTIONS[tok] : undefined;
  if (expanded) out.push(...expanded);
  else out.push(tok);
}

/** Lower case, strip accents, expand contractions; returns the word tokens. One pass, no regex on ASCII. */
export function words(text: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  let s = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  s = s.toLowerCase();
  const out: string[] = [];
  let start = -1;
  let hasApos = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    // An apostrophe (straight or curly) counts as part of a word only between letters.
    const apos = (c === 39 || c === 0x2019 || c === 0x2018 || c === 0x2bc) && start >= 0;
    if (alnum || apos) {
      if (start < 0) start = i;
      if (apos) hasApos = true;
      continue;
    }
    if (start >= 0) {
      let tok = s.slice(start, i);
      if (hasApos) tok = tok.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/'+$/, "");
      if (tok !== "") pushWord(out, tok);
      start = -1;
      hasApos = false;
    }
  }
  return out;
}

const VOWEL = /[aeiouy]/;

/** A light suffix stripper (plural, -ing, -ed, -ly, final e); conservative on short words. */
export function stem(word: string): string {
  if (word.length <= 3 || /^[0-9]/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) w = w.slice(0, -1);
  let stripped = false;
  for (const suffix of ["ing", "ed", "ly"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && VOWEL.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      stripped = true;
      break;
    }
  }
  // topped -> topp -> top; but keep "ll"/"ss" (called -> call).
  if (stripped && w.length > 3) {
    const a = w[w.length - 1];
    if (a === w[w.length - 2] && a !== "l" && a !== "s" && a !== "z") w = w.slice(0, -1);
  }
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}
