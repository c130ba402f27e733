// Calibration, fitted on out-of-fold rows (each example scored by a model compiled without it).
// confidence(route) = P(in scope | x) * P(route | x, in scope):
// - P(route | in scope) is a softmax of the blended scores at temperature T, T chosen by maximum likelihood.
// - P(in scope) is a small logistic model over signals of the whole score vector (top probability, margin
//   top1 - top2, top blended score, best nearest-example cosine, best centroid cosine; see `signals`). It is
//   fitted (balanced, L2-regularised) to separate the out-of-fold rows (in scope) from the same rows with
//   their own route removed, which simulates an intent the model has never seen.
// - The out-of-scope threshold maximises (in-scope rows kept and correct) + (simulated unseen rows rejected),
//   both as rates, while rejecting at most `maxDrop` of the in-scope rows that were routed correctly.

export const SIGNALS = 5;

export type Calibration = {
  temperature: number;
  /** Logistic in-scope model over `signals`: SIGNALS weights, then the bias. */
  gate: number[];
  threshold: number;
};

export type CalibrationRow = { scores: Float64Array; cen: Float64Array; knn: Float64Array; labels: number[] };

/**
 * In-scope signals of one scored text into `sig`; `probs` receives the softmax; routes with skip[c] = 1 are
 * treated as absent. Returns the top route (or -1).
 */
export function signals(
  scores: Float64Array,
  cen: Float64Array,
  knn: Float64Array,
  temperature: number,
  probs: Float64Array,
  sig: Float64Array,
  skip?: Uint8Array,
): number {
  const top = softmax(scores, temperature, probs, skip);
  let second = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < scores.length; c++) {
    if (c !== top && !skip?.[c] && (scores[c] as number) > second) second = scores[c] as number;
  }
  const best = top < 0 ? 0 : (scores[top] as number);
  sig[0] = top < 0 ? 0 : (probs[top] as number);
  sig[1] = Number.isFinite(second) ? best - second : 1;
  sig[2] = best;
  sig[3] = maxOf(knn, skip);
  sig[4] = maxOf(cen, skip);
  return top;
}

export function gateOf(gate: number[], sig: Float64Array): number {
  let z = gate[SIGNALS] ?? 0;
  for (let i = 0; i < SIGNALS; i++) z += (gate[i] ?? 0) * (sig[i] as number);
  return 1 / (1 + Math.exp(-z));
}

/** Softmax of scores / T into `out` (entries with skip[c] = 1 get 0); returns the argmax. */
export function softmax(
  scores: Float64Array,
  temperature: number,
  out: Float64Array,
  skip?: Uint8Array,
): number {
  let m = Number.NEGATIVE_INFINITY;
  let best = -1;
  for (let c = 0; c < scores.length; c++) {
    if (skip?.[c]) continue;
    const z = (scores[c] as number) / temperature;
    if (z > m) {
      m = z;
      best = c;
    }
  }
  let total = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = skip?.[c] ? 0 : Math.exp((scores[c] as number) / temperature - m);
    out[c] = e;
    total += e;
  }
  for (let c = 0; c < scores.length; c++) out[c] = total > 0 ? (out[c] as number) / total : 0;
  return best;
}

export function maxOf(a: Float64Array, skip?: Uint8Array): number {
  let m = 0;
  for (let c = 0; c < a.length; c++) if (!skip?.[c] && (a[c] as number) > m) m = a[c] as number;
  return m;
}

export function calibrate(rows: CalibrationRow[], classes: number, maxDrop: number): Calibration {
  if (rows.length === 0) return { temperature: 0.1, gate: [...OPEN_GATE], threshold: 0.5 };
  const stride = Math.max(1, Math.floor(rows.length / 1000)); // bounds compile time on big sets
  const fit = rows.filter((_, i) => i % stride === 0);
  const probs = new Float64Array(classes);
  const skip = new Uint8Array(classes);

  let temperature = 0.1;
  let bestNll = Number.POSITIVE_INFINITY;
  for (let ti = 0; ti < 24; ti++) {
    const t = 0.005 * 1.3 ** ti;
    let nll = 0;
    for (const r of fit) {
      softmax(r.scores, t, probs);
      let p = 0;
      for (const l of r.labels) p += probs[l] as number;
      nll -= Math.log(Math.max(p, 1e-12));
    }
    if (nll < bestNll) {
      bestNll = nll;
      temperature = t;
    }
  }

  // Per row: in scope (signals, correct?) and simulated unseen (signals with its own routes removed).
  const inRows: { sig: Float64Array; correct: boolean }[] = [];
  const outRows: Float64Array[] = [];
  for (const r of rows) {
    const sig = new Float64Array(SIGNALS);
    const top = signals(r.scores, r.cen, r.knn, temperature, probs, sig);
    inRows.push({ sig, correct: r.labels.includes(top) });
    if (r.labels.length >= classes) continue;
    for (const l of r.labels) skip[l] = 1;
    const alt = new Float64Array(SIGNALS);
    signals(r.scores, r.cen, r.knn, temperature, probs, alt, skip);
    outRows.push(alt);
    for (const l of r.labels) skip[l] = 0;
  }
  // Without simulated unseen rows (a single route) the gate is open; the evidence floor still applies.
  // Too few rows to fit it (or a single route): the gate stays open and the evidence floor does the work.
  const gate =
    outRows.length > 0 && rows.length >= SMALL_SET
      ? fitGate(
          inRows.map((r) => r.sig),
          outRows,
        )
      : [...OPEN_GATE];

  // Threshold: best balanced trade-off under the in-scope budget.
  const confIn = inRows.map((r) => ({
    conf: gateOf(gate, r.sig) * (r.sig[0] as number),
    correct: r.correct,
  }));
  const confOut = outRows.map((sig) => gateOf(gate, sig) * (sig[0] as number)).sort((a, b) => a - b);
  confIn.sort((a, b) => a.conf - b.conf);
  const correctTotal = confIn.filter((r) => r.correct).length;
  const budget = Math.max(1, Math.floor(maxDrop * inRows.length));
  let threshold = 0;
  let bestJ = Number.NEGATIVE_INFINITY;
  let rejectedCorrect = 0;
  let outIdx = 0;
  for (let i = 0; i <= confIn.length; i++) {
    // Candidate threshold = conf of row i (rows before i rejected).
    const t = i < confIn.length ? (confIn[i]?.conf as number) : 1;
    while (outIdx < confOut.length && (confOut[outIdx] as number) < t) outIdx++;
    const j =
      (correctTotal - rejectedCorrect) / inRows.length + (confOut.length ? outIdx / confOut.length : 0);
    if (j > bestJ) {
      bestJ = j;
      threshold = t;
    }
    if (confIn[i]?.correct) rejectedCorrect++;
    if (rejectedCorrect > budget) break;
  }
  // Few out-of-fold rows make the fitted threshold noisy (one odd example sets it); then never go below an
  // even-odds prior, i.e. reject unless the text is more likely in scope and on this route than not.
  if (rows.length < SMALL_SET) threshold = Math.max(threshold, 0.5);
  return { temperature, gate, threshold };
}

const SMALL_SET = 200;
const OPEN_GATE = [0, 0, 0, 0, 0, 8];

/**
 * Balanced logistic regression (in scope = 1) on standardised signals by full-batch gradient descent with
 * a little L2; the standardisation is folded back so the gate applies to raw signals.
 */
function fitGate(inRows: Float64Array[], outRows: Float64Array[]): number[] {
  const all = [...inRows, ...outRows];
  const mean = new Float64Array(SIGNALS);
  const sd = new Float64Array(SIGNALS);
  for (const x of all)
    for (let i = 0; i < SIGNALS; i++) mean[i] = (mean[i] as number) + (x[i] as number) / all.length;
  for (const x of all) {
    for (let i = 0; i < SIGNALS; i++)
      sd[i] = (sd[i] as number) + ((x[i] as number) - (mean[i] as number)) ** 2 / all.length;
  }
  for (let i = 0; i < SIGNALS; i++) sd[i] = Math.sqrt(sd[i] as number) || 1;
  const z = all.map((x) => Float64Array.from(x, (v, i) => (v - (mean[i] as number)) / (sd[i] as number)));
  const w = new Float64Array(SIGNALS + 1);
  const g = new Float64Array(SIGNALS + 1);
  const wIn = 0.5 / inRows.length;
  const wOut = 0.5 / outRows.length;
  for (let it = 0; it < 300; it++) {
    g.fill(0);
    z.forEach((x, n) => {
      const y = n < inRows.length ? 1 : 0;
      let a = w[SIGNALS] as number;
      for (let i = 0; i < SIGNALS; i++) a += (w[i] as number) * (x[i] as number);
      const e = (1 / (1 + Math.exp(-a)) - y) * (y ? wIn : wOut);
      for (let i = 0; i < SIGNALS; i++) g[i] = (g[i] as number) + e * (x[i] as number);
      g[SIGNALS] = (g[SIGNALS] as number) + e;
    });
    for (let i = 0; i < SIGNALS; i++)
      w[i] = (w[i] as number) - 2 * ((g[i] as number) + 1e-3 * (w[i] as number));
    w[SIGNALS] = (w[SIGNALS] as number) - 2 * (g[SIGNALS] as number);
  }
  const out: number[] = [];
  let bias = w[SIGNALS] as number;
  for (let i = 0; i < SIGNALS; i++) {
    out.push((w[i] as number) / (sd[i] as number));
    bias -= ((w[i] as number) * (mean[i] as number)) / (sd[i] as number);
  }
  out.push(bias);
  return out;
}
