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

export const DEFAULT_FEATURES: FeatureConfig = { charMin: 3, charMax: 5, wordShare: 0.5, bigrams: true };

const SEED_UNI = fnvString("u:");
const SEED_BI = fnvString("b:");
const SEED_CHAR = fnvString("c:");

/** Unique feature hashes per group (sorted) with their term counts. */
export type RawFeatures = { word: Counts; char: Counts };
export type Counts = { hashes: Uint32Array; tf: Uint16Array };

function count(list: number[]): Counts {
  const sorted = Uint32Array.from(list).sort();
  const hashes: number[] = [];
  const tf: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const h = sorted[i] as number;
    if (i > 0 && h === sorted[i - 1]) tf[tf.length - 1] = (tf[tf.length - 1] as number) + 1;
    else {
      hashes.push(h);
      tf.push(1);
    }
  }
  return { hashes: Uint32Array.from(hashes), tf: Uint16Array.from(tf) };
}

export function extract(text: string, cfg: FeatureConfig): RawFeatures {
  const toks = words(text);
  const word: number[] = [];
  const char: number[] = [];
  let prev = -1;
  for (const t of toks) {
    const s = stem(t);
    if (!STOP_WORDS.has(t)) word.push(fnvString(s, SEED_UNI));
    // Bigram hash = FNV of "b:" + previous stem + " " + stem, continued from the previous word's state.
    if (cfg.bigrams && prev !== -1) word.push(fnvString(s, prev));
    prev = fnvStep(fnvString(s, SEED_BI), 32);
    if (STOP_WORDS.has(t)) continue; // function words' char n-grams make unrelated texts look alike
    // Char n-grams of the unstemmed word padded with boundary marks, hashed incrementally: the FNV state
    // after n chars identifies the n-gram starting at i, so no substrings are built.
    const n = t.length + 2;
    for (let i = 0; i < n; i++) {
      let h = SEED_CHAR;
      for (let k = 0; k < cfg.charMax && i + k < n; k++) {
        const j = i + k;
        const code = j === 0 ? 60 : j === n - 1 ? 62 : t.charCodeAt(j - 1);
        h = fnvStep(h, code);
        if (k + 1 >= cfg.charMin) char.push(h);
      }
    }
  }
  return { word: count(word), char: count(char) };
}

/** Sparse vector over the model's feature indices. */
export type SparseVec = { idx: Int32Array; val: Float32Array };

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
  for (const [counts, share] of groups) {
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
  return { idx: idx.subarray(0, used), val: val.subarray(0, used) };
}

export function dot(a: SparseVec, dense: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.idx.length; k++) s += (a.val[k] as number) * (dense[a.idx[k] as number] as number);
  return s;
}
