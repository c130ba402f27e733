// Instance-based parts of the router: cosine to each route's centroid, and nearest-example (kNN)
// similarity per route. They carry the few-shot regime, where a linear model has little to learn from.

import type { Csr } from "./csr.js";
import type { TrainExample } from "./linear.js";

/** L2-normalised weighted mean of each route's example vectors, as a feature-major CSR (sparse build). */
export function buildCentroids(examples: TrainExample[], features: number, classes: number): Csr {
  const byClass: TrainExample[][] = Array.from({ length: classes }, () => []);
  for (const ex of examples) for (const c of ex.labels) byClass[c]?.push(ex);
  const acc = new Float64Array(features);
  const mark = new Uint8Array(features);
  const perClass: { idx: Int32Array; val: Float32Array }[] = [];
  const counts = new Int32Array(features + 1);
  for (let c = 0; c < classes; c++) {
    const touched: number[] = [];
    for (const ex of byClass[c] as TrainExample[]) {
      for (let k = 0; k < ex.vec.idx.length; k++) {
        const f = ex.vec.idx[k] as number;
        if (!mark[f]) {
          mark[f] = 1;
          touched.push(f);
        }
        acc[f] = (acc[f] as number) + ex.weight * (ex.vec.val[k] as number);
      }
    }
    let norm = 0;
    for (const f of touched) norm += (acc[f] as number) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const idx = Int32Array.from(touched);
    const val = new Float32Array(idx.length);
    idx.forEach((f, k) => {
      val[k] = (acc[f] as number) * scale;
      acc[f] = 0;
      mark[f] = 0;
      counts[f + 1] = (counts[f + 1] as number) + 1;
    });
    perClass.push({ idx, val });
  }
  for (let f = 0; f < features; f++) counts[f + 1] = (counts[f + 1] as number) + (counts[f] as number);
  const ptr = counts;
  const fill = ptr.slice(0, features);
  const col = new Int32Array(ptr[features] as number);
  const val = new Float32Array(ptr[features] as number);
  // Classes in increasing order, so each row's columns come out sorted.
  perClass.forEach((pc, c) => {
    for (let k = 0; k < pc.idx.length; k++) {
      const f = pc.idx[k] as number;
      const at = fill[f] as number;
      col[at] = c;
      val[at] = pc.val[k] as number;
      fill[f] = at + 1;
    }
  });
  return { ptr, col, val };
}

/** Inverted index feature -> (example, value); labels and weights per example. */
export type ExampleIndex = { postings: Csr; labelPtr: Int32Array; labels: Int32Array; weight: Float32Array };

/** `skip[f]` = 1 leaves feature f out of the index (very common features: slow to scan, little signal). */
export function buildExampleIndex(
  examples: TrainExample[],
  features: number,
  skip?: Uint8Array,
): ExampleIndex {
  const counts = new Int32Array(features + 1);
  for (const ex of examples) {
    for (let k = 0; k < ex.vec.idx.length; k++) {
      const f = (ex.vec.idx[k] as number) + 1;
      if (!skip?.[f - 1]) counts[f] = (counts[f] as number) + 1;
    }
  }
  for (let f = 0; f < features; f++) counts[f + 1] = (counts[f + 1] as number) + (counts[f] as number);
  const ptr = counts.slice();
  const fill = counts.slice(0, features);
  const col = new Int32Array(ptr[features] as number);
  const val = new Float32Array(ptr[features] as number);
  const labelPtr = new Int32Array(examples.length + 1);
  const labels: number[] = [];
  const weight = new Float32Array(examples.length);
  examples.forEach((ex, e) => {
    for (let k = 0; k < ex.vec.idx.length; k++) {
      const f = ex.vec.idx[k] as number;
      if (skip?.[f]) continue;
      const at = fill[f] as number;
      col[at] = e;
      val[at] = ex.vec.val[k] as number;
      fill[f] = at + 1;
    }
    labels.push(...ex.labels);
    labelPtr[e + 1] = labels.length;
    weight[e] = ex.weight;
  });
  return { postings: { ptr, col, val }, labelPtr, labels: Int32Array.from(labels), weight };
}

/** Scratch buffers reused across calls (the router is single-threaded per isolate). */
export type KnnScratch = { sims: Float64Array; touched: Int32Array; mark: Uint8Array };

export function knnScratch(examples: number): KnnScratch {
  return {
    sims: new Float64Array(examples),
    touched: new Int32Array(examples),
    mark: new Uint8Array(examples),
  };
}

/**
 * out[c] = max over route c's examples of weight * cosine(text, example)^power. A power above 1 damps the
 * small overlaps any two sentences have (shared function words), which matter for out-of-scope detection.
 * Examples with exclude[e] = 1 are skipped (held-out scoring against the full index).
 */
export function knnScores(
  vec: { idx: Int32Array; val: Float32Array },
  index: ExampleIndex,
  scratch: KnnScratch,
  out: Float64Array,
  power = 1,
  exclude?: Uint8Array,
): void {
  out.fill(0);
  const { ptr, col, val } = index.postings;
  const { sims, touched, mark } = scratch;
  let n = 0;
  for (let k = 0; k < vec.idx.length; k++) {
    const f = vec.idx[k] as number;
    const v = vec.val[k] as number;
    const end = ptr[f + 1] as number;
    for (let j = ptr[f] as number; j < end; j++) {
      const e = col[j] as number;
      if (!mark[e]) {
        mark[e] = 1;
        touched[n++] = e;
      }
      sims[e] = (sims[e] as number) + v * (val[j] as number);
    }
  }
  for (let t = 0; t < n; t++) {
    const e = touched[t] as number;
    const sim = sims[e] as number;
    sims[e] = 0;
    mark[e] = 0;
    if (exclude !== undefined && exclude[e] === 1) continue;
    const s = (power === 1 ? sim : sim > 0 ? sim ** power : 0) * (index.weight[e] as number);
    const end = index.labelPtr[e + 1] as number;
    for (let j = index.labelPtr[e] as number; j < end; j++) {
      const c = index.labels[j] as number;
      if (s > (out[c] as number)) out[c] = s;
    }
  }
}
