// Discriminative part of the router: a multiclass passive-aggressive (PA-I) linear model with weight
// averaging, trained by a few seeded passes over sparse TF-IDF vectors. PA-I needs no learning-rate
// schedule, updates only the true and the most-violating class (cheap, and it keeps the weights sparse),
// and averaging gives the generalisation of a regularised SVM. Deterministic: seeded shuffle only.

import type { Csr } from "./csr.js";
import type { SparseVec } from "./features.js";

export type TrainExample = { vec: SparseVec; labels: number[]; weight: number };

export type LinearOptions = {
  epochs: number;
  aggressiveness: number;
  margin: number;
  seed: number;
  /** Shrinking: skip an example's next pass when its margin exceeded this multiple of `margin` (Infinity = off). */
  skipMargin: number;
};

/** epochs 0 = chosen by data size (see compileRouter). */
export const DEFAULT_LINEAR: LinearOptions = {
  epochs: 0,
  aggressiveness: 0.5,
  margin: 1,
  seed: 7,
  skipMargin: Number.POSITIVE_INFINITY,
};

/** Dense averaged weights, feature-major: w[f * classes + c]. */
export type DenseLinear = { w: Float32Array; classes: number; features: number };

/** Training state: current weights, the step-weighted sum of updates (for averaging) and the step count. */
export type LinearState = DenseLinear & { u: Float32Array; step: number };

export function newLinear(features: number, classes: number): LinearState {
  const n = features * classes;
  return { w: new Float32Array(n), u: new Float32Array(n), step: 1, classes, features };
}

/**
 * Averaged weights (w - u / step) straight into a feature-major CSR, dropping |v| <= eps. With `rows`, the
 * state's feature f is row rows[f] of a CSR with `totalRows` rows (training on a compact feature subset).
 */
export function averagedCsr(s: LinearState, eps: number, rows?: Int32Array, totalRows?: number): Csr {
  const { w, u, classes, features, step } = s;
  const R = rows ? (totalRows as number) : features;
  const inv = 1 / step;
  let nnz = 0;
  for (let i = 0; i < w.length; i++) {
    const v = (w[i] as number) - (u[i] as number) * inv;
    if (v > eps || v < -eps) nnz++;
  }
  const counts = new Int32Array(R + 1);
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  // Rows of the state in increasing order of their CSR row (a monotone map when given).
  let k = 0;
  for (let f = 0; f < features; f++) {
    const base = f * classes;
    const start = k;
    for (let c = 0; c < classes; c++) {
      const v = (w[base + c] as number) - (u[base + c] as number) * inv;
      if (v > eps || v < -eps) {
        col[k] = c;
        val[k++] = v;
      }
    }
    counts[(rows ? (rows[f] as number) : f) + 1] = k - start;
  }
  for (let r = 0; r < R; r++) counts[r + 1] = (counts[r + 1] as number) + (counts[r] as number);
  return { ptr: counts, col, val };
}

/**
 * Passes of PA-I over the examples in seeded random order. Shrinking: an example whose margin over the most
 * violating class exceeded `skipMargin` (x opts.margin) in its last visit is not scored in the next pass
 * (it would not be updated unless the weights moved a lot); it is revisited the pass after. The averaging
 * step counts every example either way.
 */
export function trainEpochs(
  state: LinearState,
  examples: TrainExample[],
  epochs: number,
  opts: LinearOptions,
  rand: () => number,
  skipMargin = Number.POSITIVE_INFINITY,
): void {
  const { w, u, classes } = state;
  const scores = new Float64Array(classes);
  const isLabel = new Uint8Array(classes);
  const tied = new Int32Array(classes);
  const order = examples.map((_, i) => i);
  const skip = new Uint8Array(examples.length);
  const safe = skipMargin * opts.margin;
  let step = state.step;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (const ei of order) {
      if (skip[ei] === 1) {
        skip[ei] = 0;
        step++;
        continue;
      }
      const ex = examples[ei] as TrainExample;
      const { idx, val } = ex.vec;
      scores.fill(0);
      let sq = 0;
      for (let k = 0; k < idx.length; k++) {
        const v = val[k] as number;
        sq += v * v;
        const base = (idx[k] as number) * classes;
        // Unrolled by four: the hot loop of compileRouter.
        let c = 0;
        for (; c + 3 < classes; c += 4) {
          scores[c] = (scores[c] as number) + v * (w[base + c] as number);
          scores[c + 1] = (scores[c + 1] as number) + v * (w[base + c + 1] as number);
          scores[c + 2] = (scores[c + 2] as number) + v * (w[base + c + 2] as number);
          scores[c + 3] = (scores[c + 3] as number) + v * (w[base + c + 3] as number);
        }
        for (; c < classes; c++) scores[c] = (scores[c] as number) + v * (w[base + c] as number);
      }
      for (const l of ex.labels) isLabel[l] = 1;
      // Most violating wrong class; exact ties (duplicated routes) share the update so they stay tied.
      let best = Number.NEGATIVE_INFINITY;
      let ties = 0;
      for (let c = 0; c < classes; c++) {
        if (isLabel[c]) continue;
        const sc = scores[c] as number;
        if (sc > best) {
          best = sc;
          ties = 0;
        }
        if (sc === best) tied[ties++] = c;
      }
      for (const l of ex.labels) isLabel[l] = 0;
      let minMargin = Number.POSITIVE_INFINITY;
      if (ties > 0 && sq > 0) {
        for (const t of ex.labels) {
          const m = (scores[t] as number) - best;
          if (m < minMargin) minMargin = m;
          const loss = opts.margin - m;
          if (loss <= 0) continue;
          const tau = Math.min(opts.aggressiveness * ex.weight, loss / (2 * sq));
          for (let k = 0; k < idx.length; k++) {
            const d = tau * (val[k] as number);
            const base = (idx[k] as number) * classes;
            w[base + t] = (w[base + t] as number) + d;
            u[base + t] = (u[base + t] as number) + step * d;
            const dr = d / ties;
            for (let q = 0; q < ties; q++) {
              const at = base + (tied[q] as number);
              w[at] = (w[at] as number) - dr;
              u[at] = (u[at] as number) - step * dr;
            }
          }
        }
      }
      if (minMargin > safe) skip[ei] = 1;
      step++;
    }
  }
  state.step = step;
}
