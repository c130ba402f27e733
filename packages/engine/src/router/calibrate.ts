// Calibration, fitted on out-of-fold rows (each example scored by a model compiled without it).
// confidence(route) = P(in scope | x) * P(route | x, in scope):
// - P(route | in scope) is a softmax of the blended scores at temperature T, T chosen by maximum likelihood.
// - P(in scope) = sigmoid(a * (s - b)), s = the best route's similarity (centroid + nearest example). It is
//   fitted (balanced logistic fit by grid search) to separate the out-of-fold rows (in scope) from the same
//   rows with their own route removed, which simulates an intent the model has never seen; the similarity
//   parts do not depend on the removed route, so that simulation is fair.
// - The out-of-scope threshold maximises (in-scope rows kept and correct) + (simulated unseen rows rejected),
//   both as rates, while rejecting at most `maxDrop` of the correctly routed rows.

export type Calibration = { temperature: number; gateSlope: number; gateCentre: number; threshold: number };

export type CalibrationRow = { scores: Float64Array; sims: Float64Array; labels: number[] };

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

export const gate = (sim: number, slope: number, centre: number): number =>
  1 / (1 + Math.exp(-slope * (sim - centre)));

export function calibrate(rows: CalibrationRow[], classes: number, maxDrop: number): Calibration {
  if (rows.length === 0) return { temperature: 0.1, gateSlope: 10, gateCentre: 0.1, threshold: 0.3 };
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

  // Per row: in-scope (top similarity, top probability, correct?) and simulated unseen (same, own routes removed).
  const inRows: { sim: number; p: number; correct: boolean }[] = [];
  const outRows: { sim: number; p: number }[] = [];
  for (const r of rows) {
    const top = softmax(r.scores, temperature, probs);
    inRows.push({ sim: maxOf(r.sims), p: probs[top] as number, correct: r.labels.includes(top) });
    if (r.labels.length >= classes) continue;
    for (const l of r.labels) skip[l] = 1;
    const alt = softmax(r.scores, temperature, probs, skip);
    outRows.push({ sim: maxOf(r.sims, skip), p: probs[alt] as number });
    for (const l of r.labels) skip[l] = 0;
  }

  // Balanced logistic fit of the in-scope gate.
  const simsSorted = [...inRows.map((r) => r.sim), ...outRows.map((r) => r.sim)].sort((a, b) => a - b);
  // Without simulated unseen rows (a single route) the gate centres on a low quantile of in-scope similarity.
  let gateSlope = 30;
  let gateCentre = simsSorted[Math.floor(simsSorted.length / 5)] ?? 0.1;
  if (outRows.length > 0) {
    let bestLoss = Number.POSITIVE_INFINITY;
    const fitIn = inRows.filter((_, i) => i % stride === 0);
    const fitOut = outRows.filter((_, i) => i % stride === 0);
    for (let qi = 1; qi < 40; qi++) {
      const centre = simsSorted[Math.floor((qi / 40) * simsSorted.length)] as number;
      for (let si = 0; si < 14; si++) {
        const slope = 2 * 1.5 ** si;
        let lin = 0;
        for (const r of fitIn) lin -= Math.log(Math.max(gate(r.sim, slope, centre), 1e-12));
        let lout = 0;
        for (const r of fitOut) lout -= Math.log(Math.max(1 - gate(r.sim, slope, centre), 1e-12));
        const loss = lin / fitIn.length + lout / fitOut.length;
        if (loss < bestLoss) {
          bestLoss = loss;
          gateSlope = slope;
          gateCentre = centre;
        }
      }
    }
  }

  // Threshold: best balanced trade-off under the in-scope budget.
  const confIn = inRows.map((r) => ({ conf: gate(r.sim, gateSlope, gateCentre) * r.p, correct: r.correct }));
  const confOut = outRows.map((r) => gate(r.sim, gateSlope, gateCentre) * r.p).sort((a, b) => a - b);
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
  return { temperature, gateSlope, gateCentre, threshold };
}

const SMALL_SET = 200;
