// Calibration. Confidence is a softmax over the routes' blended scores divided by a temperature T, plus
// a fixed "none of these" logit b0/T, so a text that scores low on every route gets low confidence even
// when one route is relatively ahead (with one route, a plain softmax would always say 1).
// T and b0 are fitted on out-of-fold scores (each example scored by a model compiled without it) by grid
// search on the log-likelihood of: in-scope rows -> their route; the same rows with their own route's column
// removed (a simulated unseen intent) -> "none", at half weight. The out-of-scope threshold is then the
// largest confidence that rejects at most `maxDrop` of the correctly routed out-of-fold examples.

export type Calibration = { temperature: number; noneScore: number; threshold: number };

/** Fills `out` with calibrated probabilities; returns the mass left on "none". */
export function confidences(
  scores: Float64Array,
  temperature: number,
  noneScore: number,
  out: Float64Array,
  skip?: Uint8Array,
): number {
  let m = noneScore / temperature;
  for (let c = 0; c < scores.length; c++)
    if (!skip?.[c]) m = Math.max(m, (scores[c] as number) / temperature);
  let z = Math.exp(noneScore / temperature - m);
  const none = z;
  for (let c = 0; c < scores.length; c++) {
    const e = skip?.[c] ? 0 : Math.exp((scores[c] as number) / temperature - m);
    out[c] = e;
    z += e;
  }
  for (let c = 0; c < scores.length; c++) out[c] = (out[c] as number) / z;
  return none / z;
}

export type CalibrationRow = { scores: Float64Array; labels: number[] };

function argmax(a: Float64Array): number {
  let best = 0;
  for (let c = 1; c < a.length; c++) if ((a[c] as number) > (a[best] as number)) best = c;
  return best;
}

export function calibrate(
  rows: CalibrationRow[],
  classes: number,
  maxDrop: number,
  noneQuantile: number,
): Calibration {
  if (rows.length === 0) return { temperature: 0.1, noneScore: 0.2, threshold: 0.3 };
  // Subsample evenly for the grid search so compile time stays bounded on big training sets.
  const stride = Math.max(1, Math.floor(rows.length / 800));
  const fitRows = rows.filter((_, i) => i % stride === 0);
  const probs = new Float64Array(classes);
  // "None" sits at a low quantile of the top scores of correctly routed rows: a text scoring below what
  // genuine examples usually reach gets little confidence, whatever the spread between routes.
  const correctTops = fitRows
    .filter((r) => r.labels.includes(argmax(r.scores)))
    .map((r) => r.scores[argmax(r.scores)] as number)
    .sort((a, b) => a - b);
  const noneScore = correctTops[Math.floor(noneQuantile * correctTops.length)] ?? 0;
  let best = { temperature: 0.1, noneScore, nll: Number.POSITIVE_INFINITY };
  for (let ti = 0; ti < 24; ti++) {
    const temperature = 0.005 * 1.3 ** ti;
    let nll = 0;
    for (const r of fitRows) {
      confidences(r.scores, temperature, noneScore, probs);
      let p = 0;
      for (const l of r.labels) p += probs[l] as number;
      nll -= Math.log(Math.max(p, 1e-12));
    }
    if (nll < best.nll) best = { temperature, noneScore, nll };
  }
  // Threshold from the confidences of all out-of-fold rows.
  const scored = rows.map((r) => {
    confidences(r.scores, best.temperature, best.noneScore, probs);
    let top = 0;
    for (let c = 1; c < classes; c++) if ((probs[c] as number) > (probs[top] as number)) top = c;
    return { conf: probs[top] as number, correct: r.labels.includes(top) };
  });
  scored.sort((a, b) => a.conf - b.conf);
  const budget = Math.floor(maxDrop * rows.length);
  let rejectedCorrect = 0;
  let threshold = scored[scored.length - 1]?.conf ?? 0.3;
  for (const s of scored) {
    if (s.correct) {
      if (rejectedCorrect >= budget) {
        threshold = s.conf;
        break;
      }
      rejectedCorrect++;
    }
  }
  return { temperature: best.temperature, noneScore: best.noneScore, threshold };
}
