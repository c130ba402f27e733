// Over 400 lines on purpose: one extraction pipeline whose steps share the hashing and weighting of a single pass.
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

/**
 * In-place ascending sort of a[lo..hi) (uint32). TypedArray#sort boxes values above 2^30 on V8 (slow, and
 * garbage); this is a plain quicksort with insertion sort on short runs.
 */
export function sortU32(a: Uint32Array, lo = 0, hi = a.length): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot.
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi - 1] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    // Recurse into the smaller side, loop on the larger (bounded stack).
    if (j + 1 - lo < hi - i) {
      sortU32(a, lo, j + 1);
      lo = i;
    } else {
      sortU32(a, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i] as number;
    let j = i - 1;
    while (j >= lo && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Sorts scratch[0..n) and counts equal hashes. */
function count(n: number): Counts {
  sortU32(scratch, 0, n);
  const sorted = scratch;
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

/**
 * Compile-time featurisation of a whole corpus in one pass, equivalent to extractTokens + vectorise per text
 * with the corpus's own vocabulary: feature hashes get ids in a growable open-addressing table as they are
 * met, duplicates within a text are counted with a last-seen stamp (no per-text sort), and ids are renumbered
 * in hash order at the end (canonical model). Vectors are views into two pooled arrays.
 */
export function vectoriseCorpus(
  texts: string[][],
  cfg: FeatureConfig,
): { vecs: SparseVec[]; hashes: Uint32Array; dfs: Int32Array; idf: Float32Array; unknownIdf: number } {
  const N = texts.length;
  const infos = texts.map((t) => infosOf(t, cfg));
  // Upper bound of the pooled length: per text, unigrams + bigrams + char n-grams.
  let total = 0;
  for (const inf of infos) {
    total += 2 * inf.length;
    for (const info of inf) total += info.chars.length;
  }
  // Table and per-feature arrays grow with the vocabulary (tens of thousands), not with the corpus.
  let cap = 1 << 16;
  let keys = new Uint32Array(cap);
  let slot = new Int32Array(cap).fill(-1); // provisional id per table slot
  let room = 1 << 15;
  let hashOf = new Uint32Array(room);
  let df = new Int32Array(room);
  let stamp = new Int32Array(room).fill(-1);
  let pos = new Int32Array(room);
  let size = 0;
  const ids = new Int32Array(total);
  const tfs = new Uint16Array(total);
  let used = 0;
  const ptr = new Int32Array(N + 1);
  const wordEnd = new Int32Array(N);
  let buf = new Uint32Array(256);
  for (let e = 0; e < N; e++) {
    const inf = infos[e] as TokenInfo[];
    // This text's hashes: word group, then char group from index `split`.
    let need = 2 * inf.length;
    for (const info of inf) need += info.chars.length;
    if (need > buf.length) buf = new Uint32Array(2 * need);
    let n = 0;
    let prev = -1;
    for (const info of inf) {
      if (!info.stop) buf[n++] = info.uni;
      if (cfg.bigrams && prev !== -1) buf[n++] = fnvString(info.stem, prev);
      prev = info.biSeed;
    }
    const split = n;
    for (const info of inf) {
      const ch = info.chars;
      for (let k = 0; k < ch.length; k++) buf[n++] = ch[k] as number;
    }
    if (size + n > room) {
      while (size + n > room) room *= 2;
      const h2 = new Uint32Array(room);
      h2.set(hashOf);
      hashOf = h2;
      const d2 = new Int32Array(room);
      d2.set(df);
      df = d2;
      const s2 = new Int32Array(room).fill(-1);
      s2.set(stamp);
      stamp = s2;
      const p2 = new Int32Array(room);
      p2.set(pos);
      pos = p2;
    }
    if (2 * (size + n) > cap) {
      while (2 * (size + n) > cap) cap *= 2;
      keys = new Uint32Array(cap);
      slot = new Int32Array(cap).fill(-1);
      for (let id = 0; id < size; id++) {
        const h = hashOf[id] as number;
        let p = Math.imul(h, 0x9e3779b1) >>> 0;
        for (;;) {
          p &= cap - 1;
          if (slot[p] === -1) break;
          p++;
        }
        keys[p] = h;
        slot[p] = id;
      }
    }
    for (let i = 0; i < n; i++) {
      if (i === split) wordEnd[e] = used;
      const h = buf[i] as number;
      const st = i < split ? 2 * e : 2 * e + 1; // groups count separately, as in vectorise
      let p = Math.imul(h, 0x9e3779b1) >>> 0;
      let id = -1;
      for (;;) {
        p &= cap - 1;
        const at = slot[p] as number;
        if (at === -1) break;
        if (keys[p] === h) {
          id = at;
          break;
        }
        p++;
      }
      if (id === -1) {
        id = size++;
        hashOf[id] = h;
        keys[p] = h;
        slot[p] = id;
      }
      if (stamp[id] === st) {
        const at = pos[id] as number;
        tfs[at] = (tfs[at] as number) + 1;
        continue;
      }
      stamp[id] = st;
      df[id] = (df[id] as number) + 1;
      pos[id] = used;
      ids[used] = id;
      tfs[used++] = 1;
    }
    if (split === n) wordEnd[e] = used;
    ptr[e + 1] = used;
  }
  const idOf = (h: number): number => {
    let p = Math.imul(h, 0x9e3779b1) >>> 0;
    for (;;) {
      p &= cap - 1;
      if (keys[p] === h && slot[p] !== -1) return slot[p] as number;
      p++;
    }
  };
  // Canonical numbering: by hash.
  const hashes = hashOf.slice(0, size);
  sortU32(hashes);
  const rank = new Int32Array(size);
  const dfs = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    const id = idOf(hashes[r] as number);
    rank[id] = r;
    dfs[r] = df[id] as number;
  }
  const idf = Float32Array.from(dfs, (d) => Math.log((N + 1) / (d + 1)) + 1);
  const idx = ids.subarray(0, used); // renumbered in place: ids[k] is read once, just before idx[k] is written
  const val = new Float32Array(used);
  const vecs: SparseVec[] = new Array(N);
  for (let e = 0; e < N; e++) {
    const a = ptr[e] as number;
    const m = wordEnd[e] as number;
    const b = ptr[e + 1] as number;
    for (let g = 0; g < 2; g++) {
      const lo = g === 0 ? a : m;
      const hi = g === 0 ? m : b;
      let sq = 0;
      for (let k = lo; k < hi; k++) {
        const r = rank[ids[k] as number] as number;
        const tf = tfs[k] as number;
        const w = (tf === 1 ? 1 : 1 + Math.log(tf)) * (idf[r] as number);
        idx[k] = r;
        val[k] = w;
        sq += w * w;
      }
      if (sq > 0) {
        const scale = Math.sqrt((g === 0 ? cfg.wordShare : 1 - cfg.wordShare) / sq);
        for (let k = lo; k < hi; k++) val[k] = (val[k] as number) * scale;
      }
    }
    vecs[e] = { idx: idx.subarray(a, b), val: val.subarray(a, b), words: m - a };
  }
  return { vecs, hashes, dfs, idf, unknownIdf: Math.log(N + 1) + 1 };
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
