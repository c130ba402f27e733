// Compressed sparse rows keyed by feature: row f lists (column, value) pairs. Used for the linear weights
// and centroids (column = route) and for the example index (column = example), so scoring a text touches
// only the rows of its own features.

import type { SparseVec } from "./features.js";

export type Csr = { ptr: Int32Array; col: Int32Array; val: Float32Array };

/** out[col] += Σ_f vec[f] * m[f, col]. */
export function accumulate(vec: SparseVec, m: Csr, out: Float64Array): void {
  for (let k = 0; k < vec.idx.length; k++) {
    const f = vec.idx[k] as number;
    const v = vec.val[k] as number;
    const end = m.ptr[f + 1] as number;
    for (let j = m.ptr[f] as number; j < end; j++) {
      const c = m.col[j] as number;
      out[c] = (out[c] as number) + v * (m.val[j] as number);
    }
  }
}
