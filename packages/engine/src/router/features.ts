// Feature extraction: word unigrams (stemmed, stop words dropped), word bigrams (stemmed, stop words kept:
// "not received", "how long" carry intent) and char n-grams inside word boundaries (typo robustness).
// Features are 32-bit hashes; two groups (words, chars) are TF-IDF weighted and L2-normalised separately,
// then mixed with a fixed share so neither group drowns the other.

import { fnvStep, fnvString } from "./hash.js";
import { STOP_WORDS, stem, words } from "./tokenize.js";

export const GROUP_WORD = 0;
export const GROUP_CHAR = 1;

export type FeatureConfig = {
  charMin: number;
  charMax: number;
  /** Share of the squared norm given to the word group (the char group gets the rest). */
  wordShare: number;
  bigrams: boolean;
};

export const DEFAULT_FEATURES: FeatureConfig = { charMin: 3, charMax: 4, wordShare: 0.5, bigrams: true };

const SEED_UNI = fnvString("u:");
const SEED_BI = fnvString("b:");
const SEED_CHAR = fnvString("c:");

/** Unique feature hashes per group (sorted) with their term counts. */
export type RawFeatures = { word: Counts; char: Counts };
export type Counts = { hashes: Uint32Array; tf: Uint16Array };

/** Per-token features, cached: the stemmed unigram hash (0 for stop words), the bigram seed and char n-grams. */
type TokenInfo = { uni: number; stop: boolean; stem: string; biSeed: number; chars: Uint32Array };

const tokenCache = new Map<string, TokenInfo>();
const TOKEN_CACHE_LIMIT = 50_000;
let cacheKey = "";

function tokenInfo(t: string, cfg: FeatureConfig): TokenInfo {
  const hit = tokenCache.get(t);
  if (hit) return hit;
  const s = stem(t);
  const stop = STOP_WORDS.has(t);
  const chars: number[] = [];
  if (!stop) {
    // Char n-grams of the unstemmed word padded with boundary marks, hashed incrementally: the FNV state
    // after n chars identifies the n-gram starting at i, so no substrings are built.
    const n = t.length + 2;
    for (let i = 0; i < n; i++) {
      let h = SEED_CHAR;
      for (let k = 0; k < cfg.charMax && i + k < n; k++) {
        const j = i + k;
        const code = j === 0 ? 60 : j === n - 1 ? 62 : t.charCodeAt(j - 1);
        h = fnvStep(h, code);
        if (k + 1 >= cfg.charMin) chars.push(h);
      }
    }
  }
  const info: TokenInfo = {
    uni: fnvString(s, SEED_UNI),
    stop,
    stem: s,
    biSeed: fnvStep(fnvString(s, SEED_BI), 32),
    chars: Uint32Array.from(chars),
  };
  if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
  tokenCache.set(t, info);
  return info;
}

function infosOf(toks: string[], cfg: FeatureConfig): TokenInfo[] {
  const key = `${cfg.charMin}:${cfg.charMax}`;
  if (key !== cacheKey) {
    tokenCache.clear();
    cacheKey = key;
  }
  return toks.map((t) => tokenInfo(t, cfg));
}

/** Words that name no topic (questions, wanting, yes/no): the evidence check ignores them. */
const GENERIC: ReadonlySet<string> = new Set(
  "what how when where why who which whom whose want need like would get know tell not no yes ok okay thanks thank".split(
    " ",
  ),
);

/**
 * Absolute evidence: how many of the text's content words the vocabulary (examples, names, descriptions)
 * knows — by stem, or by at least half of the word's char n-grams (typos). Zero means the text shares
 * nothing topical with any route.
 */
export function knownContent(toks: string[], vocab: Vocabulary, cfg: FeatureConfig): number {
  let known = 0;
  const infos = infosOf(toks, cfg);
  toks.forEach((t, i) => {
    const info = infos[i] as TokenInfo;
    if (info.stop || GENERIC.has(t) || GENERIC.has(info.stem)) return;
    if (lookup(vocab.table, info.uni) >= 0) {
      known++;
      return;
    }
    let hit = 0;
    for (const h of info.chars) if (lookup(vocab.table, h) >= 0) hit++;
    if (info.chars.length > 0 && 2 * hit >= info.chars.length) known++;
  });
  return known;
}

let scratch = new Uint32Array(1024);

/** Sorts scratch[0..n) and counts equal hashes. */
function count(n: number): Counts {
  const sorted = scratch.subarray(0, n).sort();
  let u = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) u++;
  const hashes = new Uint32Array(u);
  const tf = new Uint16Array(u);
  let k = -1;
  for (let i = 0; i < n; i++) {
    const h = sorted[i] as number;
    if (k < 0 || h !== hashes[k]) hashes[++k] = h;
    tf[k] = (tf[k] as number) + 1;
  }
  return { hashes, tf };
}

function ensure(n: number): void {
  if (n > scratch.length) {
    const next = new Uint32Array(Math.max(n, scratch.length * 2));
    next.set(scratch);
    scratch = next;
  }
}

export function extract(text: string, cfg: FeatureConfig): RawFeatures {
  return extractTokens(words(text), cfg);
}

/** Features of already tokenised text (see tokenize.words). */
export function extractTokens(toks: string[], cfg: FeatureConfig): RawFeatures {
  const infos = infosOf(toks, cfg);
  // Word group: unigrams of content stems, bigrams of consecutive stems (stop words included).
  ensure(2 * infos.length);
  let n = 0;
  let prev = -1;
  for (const info of infos) {
    if (!info.stop) scratch[n++] = info.uni;
    // Bigram hash = FNV of "b:" + previous stem + " " + stem, continued from the previous word's state.
    if (cfg.bigrams && prev !== -1) scratch[n++] = fnvString(info.stem, prev);
    prev = info.biSeed;
  }
  const word = count(n);
  let m = 0;
  for (const info of infos) m += info.chars.length;
  ensure(m);
  n = 0;
  for (const info of infos) {
    scratch.set(info.chars, n);
    n += info.chars.length;
  }
  return { word, char: count(n) };
}

/** Sparse vector over the model's feature indices. */
export type SparseVec = { idx: Int32Array; val: Float32Array; words?: number };

export type Vocabulary = {
  table: HashIndex;
  idf: Float32Array;
  /** idf given to features never seen in training; they count in the norm (an unfamiliar text is less similar). */
  unknownIdf: number;
};

/** Open-addressing hash table uint32 hash -> feature index (faster than Map for non-Smi keys). */
export type HashIndex = { keys: Uint32Array; vals: Int32Array; mask: number };

export function buildHashIndex(hashes: Uint32Array): HashIndex {
  let cap = 16;
  while (cap < hashes.length * 2) cap *= 2;
  const keys = new Uint32Array(cap);
  const vals = new Int32Array(cap).fill(-1);
  const mask = cap - 1;
  hashes.forEach((h, i) => {
    let p = Math.imul(h, 0x9e3779b1) >>> 0;
    for (;;) {
      p &= mask;
      if (vals[p] === -1) break;
      p++;
    }
    keys[p] = h;
    vals[p] = i;
  });
  return { keys, vals, mask };
}

export function lookup(t: HashIndex, h: number): number {
  let p = Math.imul(h, 0x9e3779b1) >>> 0;
  for (;;) {
    p &= t.mask;
    const v = t.vals[p] as number;
    if (v === -1 || t.keys[p] === h) return v;
    p++;
  }
}

export function vectorise(raw: RawFeatures, vocab: Vocabulary, cfg: FeatureConfig): SparseVec {
  const n = raw.word.hashes.length + raw.char.hashes.length;
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  let used = 0;
  const groups: [Counts, number][] = [
    [raw.word, cfg.wordShare],
    [raw.char, 1 - cfg.wordShare],
  ];
  let words = 0;
  for (const [counts, share] of groups) {
    if (counts === raw.char) words = used;
    const start = used;
    let sq = 0;
    for (let k = 0; k < counts.hashes.length; k++) {
      const i = lookup(vocab.table, counts.hashes[k] as number);
      const w =
        (1 + Math.log(counts.tf[k] as number)) * (i < 0 ? vocab.unknownIdf : (vocab.idf[i] as number));
      sq += w * w;
      if (i >= 0) {
        idx[used] = i;
        val[used++] = w;
      }
    }
    if (sq > 0) {
      const scale = Math.sqrt(share / sq);
      for (let k = start; k < used; k++) val[k] = (val[k] as number) * scale;
    }
  }
  return { idx: idx.subarray(0, used), val: val.subarray(0, used), words };
}

export function dot(a: SparseVec, dense: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.idx.length; k++) s += (a.val[k] as number) * (dense[a.idx[k] as number] as number);
  return s;
}
