// Compressed sparse rows keyed by feature: row f lists (column, value) pairs. Used for the linear weights
// and centroids (column = route) and for the example index (column = example), so scoring a text touches
// only the rows of its own features.

import type { SparseVec } from "./features.js";

export type Csr = { ptr: Int32Array; col: Int32Array; val: Float32Array };

/** Dense feature-major matrix -> CSR, dropping entries with |v| <= eps. */
export function denseToCsr(dense: Float32Array, rows: number, cols: number, eps: number): Csr {
  const ptr = new Int32Array(rows + 1);
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (Math.abs(dense[i] as number) > eps) nnz++;
  const col = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    ptr[r] = k;
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = dense[base + c] as number;
      if (Math.abs(v) > eps) {
        col[k] = c;
        val[k] = v;
        k++;
      }
    }
  }
  ptr[rows] = k;
  return { ptr, col, val };
}

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
