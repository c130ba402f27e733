// Discriminative part of the router: a multiclass passive-aggressive (PA-I) linear model with weight
// averaging, trained by a few seeded passes over sparse TF-IDF vectors. PA-I needs no learning-rate
// schedule, updates only the true and the most-violating class (cheap, and it keeps the weights sparse),
// and averaging gives the generalisation of a regularised SVM. Deterministic: seeded shuffle only.

import type { SparseVec } from "./features.js";
import { mulberry32 } from "./hash.js";

export type TrainExample = { vec: SparseVec; labels: number[]; weight: number };

export type LinearOptions = { epochs: number; aggressiveness: number; margin: number; seed: number };

export const DEFAULT_LINEAR: LinearOptions = { epochs: 6, aggressiveness: 0.5, margin: 1, seed: 7 };

/** Dense averaged weights, feature-major: w[f * classes + c]. */
export type DenseLinear = { w: Float32Array; classes: number; features: number };

export function trainLinear(
  examples: TrainExample[],
  features: number,
  classes: number,
  opts: LinearOptions,
): DenseLinear {
  const w = new Float32Array(features * classes);
  const u = new Float32Array(features * classes); // sum of step * update, for averaging
  const scores = new Float64Array(classes);
  const isLabel = new Uint8Array(classes);
  const order = examples.map((_, i) => i);
  const rand = mulberry32(opts.seed);
  let step = 1;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (const ei of order) {
      const ex = examples[ei] as TrainExample;
      const { idx, val } = ex.vec;
      scores.fill(0);
      let sq = 0;
      for (let k = 0; k < idx.length; k++) {
        const v = val[k] as number;
        sq += v * v;
        const base = (idx[k] as number) * classes;
        for (let c = 0; c < classes; c++) scores[c] = (scores[c] as number) + v * (w[base + c] as number);
      }
      for (const l of ex.labels) isLabel[l] = 1;
      let r = -1;
      let best = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) {
        if (!isLabel[c] && (scores[c] as number) > best) {
          best = scores[c] as number;
          r = c;
        }
      }
      for (const l of ex.labels) isLabel[l] = 0;
      if (r >= 0 && sq > 0) {
        for (const t of ex.labels) {
          const loss = opts.margin - ((scores[t] as number) - best);
          if (loss <= 0) continue;
          const tau = Math.min(opts.aggressiveness * ex.weight, loss / (2 * sq));
          for (let k = 0; k < idx.length; k++) {
            const d = tau * (val[k] as number);
            const base = (idx[k] as number) * classes;
            w[base + t] = (w[base + t] as number) + d;
            w[base + r] = (w[base + r] as number) - d;
            u[base + t] = (u[base + t] as number) + step * d;
            u[base + r] = (u[base + r] as number) - step * d;
          }
        }
      }
      step++;
    }
  }
  // Averaged weights: w_avg = w - u / step (the standard lazy-averaging identity).
  for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) - (u[i] as number) / step;
  return { w, classes, features };
}

export function scoreDense(vec: SparseVec, model: DenseLinear, out: Float64Array): void {
  out.fill(0);
  const C = model.classes;
  for (let k = 0; k < vec.idx.length; k++) {
    const v = vec.val[k] as number;
    const base = (vec.idx[k] as number) * C;
    for (let c = 0; c < C; c++) out[c] = (out[c] as number) + v * (model.w[base + c] as number);
  }
}
