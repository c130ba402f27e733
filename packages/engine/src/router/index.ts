// Built-in route selector: lexical, deterministic, pure. compileRouter turns routes into a JSON model;
// select ranks the routes for a text. Score per route = blend of a discriminative linear model (linear.ts),
// cosine to the route centroid and nearest-example cosine (similarity.ts); confidence is calibrated
// (calibrate.ts). An LLM adjudicator, when the host has one, is asked only when needsAdjudication is set.

import { seededRandom } from "../random.js";
import { type CalibrationRow, calibrate, gateOf, SIGNALS, signals, softmax } from "./calibrate.js";
import { encode } from "./codec.js";
import { accumulate, type Csr } from "./csr.js";
import {
  DEFAULT_FEATURES,
  extractTokens,
  type FeatureConfig,
  knownContent,
  type SparseVec,
  vectorise,
  vectoriseCorpus,
} from "./features.js";
import {
  averagedCsr,
  DEFAULT_LINEAR,
  type LinearOptions,
  type LinearState,
  newLinear,
  type TrainExample,
  trainEpochs,
} from "./linear.js";
import {
  type Blend,
  csrToJson,
  type Hydrated,
  hydrate,
  ROUTER_MODEL_VERSION,
  type RouterModel,
} from "./model.js";
import { buildCentroids, buildExampleIndex, knnScores, knnScratch } from "./similarity.js";
import { words } from "./tokenize.js";
import type { RouteForRouting, RouterCandidate, Selection, SelectOptions } from "./types.js";

export type { RouterModel } from "./model.js";
export { ROUTER_MODEL_VERSION } from "./model.js";
export type * from "./types.js";

export type CompileOptions = {
  features?: Partial<FeatureConfig>;
  linear?: Partial<LinearOptions>;
  blend?: Partial<Blend>;
  /** Weight of a route's name and description when used as examples (real examples weigh 1). */
  nameWeight?: number;
  /**
   * Out-of-scope operating point: the threshold rejects this share of the out-of-fold rows, taken from those
   * routed correctly (default DEFAULT_MAX_DROP, or DEFAULT_MAX_DROP_CV when calibration cross-fits weaker
   * fold models on up to 2,500 examples).
   */
  maxDrop?: number;
  /** Fixed out-of-scope threshold instead of the fitted one. */
  threshold?: number;
  /** Features in more than this share (and 64) of the examples are left out of the nearest-example index. */
  knnMaxDf?: number;
  /** Weight of embedding similarities in hybrid scoring; see select. */
  embeddingWeight?: number;
  /** Train the linear model on char n-grams too (default true; false = word features only, 5 passes on large sets). */
  linearChars?: boolean;
  /** Linear weights with |w| at or below this are dropped from the model (size). */
  linearEps?: number;
  /** Fit the logistic in-scope gate over five signals (default off: confidence = softmax share). */
  inScopeGate?: boolean;
  /** Class-conditional thresholds (see calibrate); default off: no gain over one threshold on dev splits. */
  routeThresholds?: boolean;
  /** Pseudo-count shrinking each route's own threshold towards the global one. */
  routeShrink?: number;
  /** Texts with fewer known content words than this are out of scope (see features.knownContent); 0 = off. */
  evidenceFloor?: number;
};

/** Absolute evidence floor: at least one content word in common with the routes' vocabulary. */
export const DEFAULT_EVIDENCE_FLOOR = 1;

/** Tuned on Banking77 dev splits (holdout 10) so that in-scope accuracy drops by about 4.5 points. */
export const DEFAULT_MAX_DROP = 0.05;
export const DEFAULT_MAX_DROP_CV = 0.085;

export const DEFAULT_BLEND: Blend = { linear: 1, centroid: 0.5, knn: 0.25, knnPower: 1 };

type Entry = { toks: string[]; labels: number[]; weight: number; real: boolean; fold: number };

/** Up to this many real examples: 5-fold cross-fitting for calibration; up to CV_LIMIT: 3 folds. */
const SMALL_CV_LIMIT = 300;
/** Above this many examples only one fold of ten is held out for calibration (bounds compile time). */
const CV_LIMIT = 2500;
/**
 * Above this many examples the linear model makes few passes (compile time): 2 on all features, or 5 on
 * word features only. On Banking77 dev (holdout 10) 2 passes with char n-grams beat 5 on words for unseen
 * intents (OOS recall 58.5% vs 52.1% at a ~4.7 pt drop) at about the same CPU, for 0.5 pt of accuracy.
 */
const FEW_PASSES_LIMIT = 3000;

/** Passes over the data: many on small sets (cheap, and they need it), few on large ones. */
function autoEpochs(n: number, chars: boolean): number {
  return n <= FEW_PASSES_LIMIT ? 10 : chars ? 2 : 5;
}

export function compileRouter(routes: RouteForRouting[], options: CompileOptions = {}): RouterModel {
  const cfg: FeatureConfig = { ...DEFAULT_FEATURES, ...options.features };
  const linOpts: LinearOptions = { ...DEFAULT_LINEAR, ...options.linear };
  const blend: Blend = { ...DEFAULT_BLEND, ...options.blend };
  const nameWeight = options.nameWeight ?? 0.5;
  const enabled = routes.filter((r) => r.enabled !== false);
  const C = enabled.length;

  // Examples, deduplicated on normalised text: a text given for two routes trains both as correct.
  const entries = new Map<string, Entry>();
  const add = (text: string, c: number, weight: number, real: boolean) => {
    const toks = words(text);
    const key = toks.join(" ");
    if (key === "") return;
    const e = entries.get(key);
    if (!e) entries.set(key, { toks, labels: [c], weight, real, fold: -1 });
    else {
      if (!e.labels.includes(c)) e.labels.push(c);
      e.weight = Math.max(e.weight, weight);
      e.real ||= real;
    }
  };
  enabled.forEach((r, c) => {
    for (const ex of r.examples) add(ex, c, 1, true);
    add(r.name, c, nameWeight, false);
    if (r.description) add(r.description, c, nameWeight, false);
  });
  const list = [...entries.values()];
  const realCount = list.filter((e) => e.real).length;
  const N = list.length;
  const linearChars = options.linearChars ?? true;
  if (linOpts.epochs <= 0) linOpts.epochs = autoEpochs(N, linearChars);

  // Stratified, seeded fold assignment of real examples (names and descriptions always train).
  const large = realCount > CV_LIMIT;
  const k = large ? 10 : realCount > SMALL_CV_LIMIT ? 3 : 5;
  const foldRand = seededRandom(linOpts.seed + 1);
  const byRoute: Entry[][] = Array.from({ length: C }, () => []);
  for (const e of list) if (e.real) byRoute[e.labels[0] as number]?.push(e);
  for (const mine of byRoute) {
    const offset = Math.floor(foldRand() * k);
    for (let i = mine.length - 1; i > 0; i--) {
      const j = Math.floor(foldRand() * (i + 1));
      const t = mine[i] as Entry;
      mine[i] = mine[j] as Entry;
      mine[j] = t;
    }
    mine.forEach((e, i) => {
      e.fold = (i + offset) % k;
    });
  }

  // Features are extracted once and reused by every fold and the final model.
  // Vocabulary: every feature hash seen, sorted for a canonical model; idf smoothed as in scikit-learn.
  const corpus = vectoriseCorpus(
    list.map((e) => e.toks),
    cfg,
  );
  const { hashes, dfs, idf } = corpus;
  const F = hashes.length;
  const maxDf = Math.max(64, (options.knnMaxDf ?? 0.0064) * N);
  const knnSkip = Uint8Array.from(dfs, (d) => (d > maxDf ? 1 : 0));
  const train: TrainExample[] = list.map((e, i) => ({
    vec: corpus.vecs[i] as SparseVec,
    labels: e.labels,
    weight: e.weight,
  }));
  // The linear model's view: all features, or the word group only (linearChars false: 4x fewer updates). Word
  // features get compact ids (linRows[compact] = feature id, increasing) so the dense weights stay small
  // and cache-resident.
  const wordsOnly = !linearChars;
  let linTrain: TrainExample[] = train;
  let linRows: Int32Array | undefined;
  let FL = F;
  if (wordsOnly) {
    const compact = new Int32Array(F).fill(-1);
    for (const t of train)
      for (let k = 0; k < (t.vec.words as number); k++) compact[t.vec.idx[k] as number] = 0;
    FL = 0;
    for (let f = 0; f < F; f++) if (compact[f] === 0) compact[f] = FL++;
    linRows = new Int32Array(FL);
    for (let f = 0; f < F; f++) if ((compact[f] as number) >= 0) linRows[compact[f] as number] = f;
    let total = 0;
    for (const t of train) total += t.vec.words as number;
    const pool = new Int32Array(total); // one buffer for every compact index vector (less GC)
    let at = 0;
    linTrain = train.map((t) => {
      const n = t.vec.words as number;
      const idx = pool.subarray(at, at + n);
      for (let k = 0; k < n; k++) idx[k] = compact[t.vec.idx[k] as number] as number;
      at += n;
      return { vec: { idx, val: t.vec.val.subarray(0, n) }, labels: t.labels, weight: t.weight };
    });
  }
  const linCsr = (s: LinearState, eps: number) => averagedCsr(s, eps, linRows, F);

  // Out-of-fold scores for calibration. Small sets: k-fold cross-fitting, then a final model on all.
  // Large sets: one fold of ten is held out of the linear model's training and scored — calibration data
  // for the price of one training run.
  const rows: CalibrationRow[] = [];
  const inFold = (f: number) => (_: unknown, i: number) => (list[i] as Entry).fold !== f;
  // One example index over everything; a fold's rows are scored with the fold's own examples excluded.
  const exIndex = buildExampleIndex(train, F, knnSkip);
  const scratch = knnScratch(N);
  const exclude = new Uint8Array(N);
  const scoreFold = (f: number, lin: Csr) => {
    const sub = train.filter(inFold(f));
    const centroids = buildCentroids(sub, F, C);
    for (let i = 0; i < N; i++) exclude[i] = (list[i] as Entry).fold === f ? 1 : 0;
    train.forEach((ex, i) => {
      if ((list[i] as Entry).fold !== f) return;
      const parts = { lin: new Float64Array(C), cen: new Float64Array(C), knn: new Float64Array(C) };
      accumulate(ex.vec, lin, parts.lin);
      accumulate(ex.vec, centroids, parts.cen);
      knnScores(ex.vec, exIndex, scratch, parts.knn, blend.knnPower, exclude);
      const scores = new Float64Array(C);
      mix(parts, blend, scores);
      rows.push({ scores, cen: parts.cen, knn: parts.knn, labels: ex.labels });
    });
  };
  const rand = seededRandom(linOpts.seed);
  const state = newLinear(FL, C);
  const eps = options.linearEps ?? 1e-3;
  let linear: Csr | undefined;
  if (C > 0 && large) {
    // The linear model is trained on nine folds only (more passes would change the score scale the
    // calibration was fitted on); centroids and the example index use everything.
    trainEpochs(state, linTrain.filter(inFold(0)), linOpts.epochs, linOpts, rand, linOpts.skipMargin);
    linear = linCsr(state, eps);
    scoreFold(0, linear);
  } else if (C > 0) {
    const foldOpts = { ...linOpts, epochs: Math.max(2, Math.ceil(linOpts.epochs / 2)) };
    for (let f = 0; f < k; f++) {
      const fold = newLinear(FL, C);
      trainEpochs(
        fold,
        linTrain.filter(inFold(f)),
        foldOpts.epochs,
        foldOpts,
        seededRandom(foldOpts.seed),
        foldOpts.skipMargin,
      );
      scoreFold(f, linCsr(fold, eps));
    }
    trainEpochs(state, linTrain, linOpts.epochs, linOpts, rand, linOpts.skipMargin);
  }
  const cal = calibrate(rows, C, {
    maxDrop: options.maxDrop ?? (large ? DEFAULT_MAX_DROP : DEFAULT_MAX_DROP_CV),
    gate: options.inScopeGate ?? false,
    routeThresholds: options.routeThresholds ?? false,
    shrink: options.routeShrink ?? 5,
  });
  linear ??= linCsr(state, eps);
  const centroids = buildCentroids(train, F, C);
  return {
    version: ROUTER_MODEL_VERSION,
    routes: enabled.map((r) => ({ id: r.id, priority: r.priority ?? 0 })),
    features: { ...cfg, hashes: encode(hashes), idf: encode(idf), unknownIdf: corpus.unknownIdf },
    linear: csrToJson(linear),
    centroids: csrToJson(centroids),
    examples: {
      postings: csrToJson(exIndex.postings),
      labelPtr: encode(exIndex.labelPtr),
      labels: encode(exIndex.labels),
      weight: encode(exIndex.weight),
    },
    blend,
    calibration: {
      temperature: cal.temperature,
      gate: cal.gate,
      evidenceFloor: options.evidenceFloor ?? DEFAULT_EVIDENCE_FLOOR,
      threshold: options.threshold ?? cal.threshold,
      routeShift: options.threshold === undefined ? cal.routeShift : cal.routeShift.map(() => 0),
      adjudicationBand: 0.15,
      adjudicationMargin: 0.1,
      embeddingWeight: options.embeddingWeight ?? 1,
    },
    stats: { examples: N, features: F, linearNonZeros: linear.val.length },
  };
}

type Parts = { lin: Float64Array; cen: Float64Array; knn: Float64Array };

function mix(p: Parts, b: Blend, out: Float64Array): void {
  for (let c = 0; c < out.length; c++) {
    out[c] =
      b.linear * (p.lin[c] as number) + b.centroid * (p.cen[c] as number) + b.knn * (p.knn[c] as number);
  }
}

function scoreText(model: RouterModel, text: string): Parts & { scores: Float64Array; known: number } {
  const h: Hydrated = hydrate(model);
  const toks = words(text);
  const vec = vectorise(extractTokens(toks, model.features), h.vocab, model.features);
  const C = h.classes;
  const parts = { lin: new Float64Array(C), cen: new Float64Array(C), knn: new Float64Array(C) };
  accumulate(vec, h.linear, parts.lin);
  accumulate(vec, h.centroids, parts.cen);
  knnScores(vec, h.examples, h.scratch, parts.knn, model.blend.knnPower);
  const scores = new Float64Array(C);
  mix(parts, model.blend, scores);
  return { ...parts, scores, known: knownContent(toks, h.vocab, model.features) };
}

/**
 * Ranks the model's routes for `text`.
 * Hybrid: with `embeddingSimilarities`, each route's score gains embeddingWeight * (cosine - mean cosine);
 * centring keeps the overall level, so the calibrated "none" score and threshold keep their meaning.
 * Routes missing from the map count as the lowest given similarity.
 */
export function select(model: RouterModel, text: string, opts: SelectOptions = {}): Selection {
  const h = hydrate(model);
  const C = h.classes;
  const topK = opts.topK ?? 5;
  const cal = model.calibration;
  const threshold = opts.threshold ?? cal.threshold;
  const emb = opts.embeddingSimilarities;
  if (C === 0 || (text.trim() === "" && !emb)) {
    return { candidates: [], top: null, outOfScope: true, needsAdjudication: false };
  }
  const { scores, cen, knn, known } = scoreText(model, text);
  // In-scope signals come from the lexical scores alone (before any embedding boost).
  const probs = new Float64Array(C);
  const sig = new Float64Array(SIGNALS);
  signals(scores, cen, knn, cal.temperature, probs, sig);
  // No topical word in common with any example, name or description: out of scope whatever the scores.
  const inScope = known < cal.evidenceFloor && !emb ? 0 : gateOf(cal.gate, sig);
  if (emb) {
    const given = model.routes.map((r) => emb[r.id]).filter((v): v is number => typeof v === "number");
    if (given.length > 0) {
      const floor = Math.min(...given);
      const sims = model.routes.map((r) => emb[r.id] ?? floor);
      const mean = sims.reduce((a, b) => a + b, 0) / C;
      sims.forEach((s, c) => {
        scores[c] = (scores[c] as number) + cal.embeddingWeight * (s - mean);
      });
    }
  }
  softmax(scores, cal.temperature, probs);
  for (let c = 0; c < C; c++) probs[c] = (probs[c] as number) * inScope;
  const order = [...Array(C).keys()].sort(
    (a, b) =>
      (scores[b] as number) - (scores[a] as number) ||
      (model.routes[b]?.priority ?? 0) - (model.routes[a]?.priority ?? 0) ||
      a - b,
  );
  const candidates: RouterCandidate[] = order.slice(0, Math.max(0, topK)).map((c) => ({
    routeId: (model.routes[c] as { id: string }).id,
    score: scores[c] as number,
    confidence: probs[c] as number,
  }));
  const best = order[0] as number;
  const topConf = probs[best] as number;
  const second = C > 1 ? (probs[order[1] as number] as number) : 0;
  // Class-conditional threshold: the model's threshold scaled for the top route (an explicit override is global).
  const routeThreshold = opts.threshold ?? threshold * Math.exp(cal.routeShift[best] ?? 0);
  const outOfScope = topConf < routeThreshold;
  const top = outOfScope
    ? null
    : {
        routeId: (model.routes[best] as { id: string }).id,
        score: scores[best] as number,
        confidence: topConf,
      };
  const needsAdjudication =
    !outOfScope &&
    (topConf < routeThreshold + cal.adjudicationBand || topConf - second < cal.adjudicationMargin);
  return { candidates, top, outOfScope, needsAdjudication };
}
