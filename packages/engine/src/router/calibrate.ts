// Calibration, fitted on out-of-fold rows (each example scored by a model compiled without it).
// confidence(route) = P(in scope | x) * P(route | x, in scope):
// - P(route | in scope) is a softmax of the blended scores at temperature T, T chosen by maximum likelihood.
// - P(in scope) is optional (CalibrateOptions.gate, off by default: the gate stays open): a small logistic
//   model over signals of the whole score vector (top probability, margin top1 - top2, top blended score,
//   best nearest-example cosine, best centroid cosine; see `signals`), fitted (balanced, L2-regularised) to
//   separate the out-of-fold rows from the same rows with their own route removed (a simulated unseen
//   intent). On Banking77 dev splits with held-out intents the softmax share alone separated real unseen
//   intents better (recall at a given in-scope drop) than the gate fitted on simulated ones.
// - Out of scope: top confidence < threshold * exp(routeShift[top]). The threshold is an operating point: it
//   rejects `maxDrop` (a share of all out-of-fold rows) from the correctly routed ones. routeShift (optional
//   class-conditional thresholds, 0 by default) is each route's shrunk mean log confidence minus the global one.

export const SIGNALS = 5;

export type Calibration = {
  temperature: number;
  /** Logistic in-scope model over `signals`: SIGNALS weights, then the bias. */
  gate: number[];
  threshold: number;
  /** Per route: log of the factor applied to `threshold` for texts routed there (class-conditional threshold). */
  routeShift: number[];
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

export type CalibrateOptions = {
  /** Share of correctly routed out-of-fold rows the threshold may reject. */
  maxDrop: number;
  /** Fit the logistic in-scope gate (otherwise it stays open and confidence is the softmax share). */
  gate: boolean;
  /** Per-route thresholds (routeShift); otherwise every shift is 0. */
  routeThresholds: boolean;
  /** Pseudo-count pulling each route's typical confidence towards the global one. */
  shrink: number;
};

export function calibrate(rows: CalibrationRow[], classes: number, opts: CalibrateOptions): Calibration {
  const { maxDrop, shrink } = opts;
  if (rows.length === 0) {
    return { temperature: 0.1, gate: [...OPEN_GATE], threshold: 0.5, routeShift: new Array(classes).fill(0) };
  }
  const stride = Math.max(1, Math.floor(rows.length / 1000)); // bounds compile time on big sets
  const fit = rows.filter((_, i) => i % stride === 0);
  const probs = new Float64Array(classes);
  const skip = new Uint8Array(classes);
  const temperature = fitTemperature(fit, probs);

  // Per row: in scope (signals, top route, correct?) and simulated unseen (signals with its own routes removed).
  const inRows: { sig: Float64Array; top: number; correct: boolean }[] = [];
  const outRows: { sig: Float64Array; top: number }[] = [];
  for (const r of rows) {
    const sig = new Float64Array(SIGNALS);
    const top = signals(r.scores, r.cen, r.knn, temperature, probs, sig);
    inRows.push({ sig, top, correct: r.labels.includes(top) });
    if (!opts.gate || r.labels.length >= classes) continue;
    for (const l of r.labels) skip[l] = 1;
    const alt = new Float64Array(SIGNALS);
    const altTop = signals(r.scores, r.cen, r.knn, temperature, probs, alt, skip);
    outRows.push({ sig: alt, top: altTop });
    for (const l of r.labels) skip[l] = 0;
  }
  const small = rows.length < SMALL_SET;
  // Too few rows to fit it (or a single route): the gate stays open and the evidence floor does the work.
  const gate =
    opts.gate && outRows.length > 0 && !small
      ? fitGate(
          inRows.map((r) => r.sig),
          outRows.map((r) => r.sig),
        )
      : [...OPEN_GATE];
  const logConf = (sig: Float64Array) => Math.log(Math.max(gateOf(gate, sig) * (sig[0] as number), 1e-300));

  // Class-conditional thresholds: routes differ in how confidently their own held-out texts are routed (tight
  // intents near 1, intents with confusable siblings much lower), so each route's threshold is the global one
  // scaled by exp(shift[r]), shift[r] = (shrunk) mean log confidence of its correctly routed held-out rows minus
  // the global mean. In-scope rows are scored with their own row left out of their route's mean.
  const sum = new Float64Array(classes);
  const cnt = new Float64Array(classes);
  let gSum = 0;
  let gCnt = 0;
  const inLog = inRows.map((r) => logConf(r.sig));
  inRows.forEach((r, i) => {
    if (!r.correct) return;
    sum[r.top] = (sum[r.top] as number) + (inLog[i] as number);
    cnt[r.top] = (cnt[r.top] as number) + 1;
    gSum += inLog[i] as number;
    gCnt++;
  });
  const gm = gCnt > 0 ? gSum / gCnt : 0;
  const shiftOf = (c: number, leaveOut?: number) => {
    if (!opts.routeThresholds || small || gCnt === 0) return 0;
    const s = (sum[c] as number) - (leaveOut ?? 0);
    const n = (cnt[c] as number) - (leaveOut === undefined ? 0 : 1);
    return clampShift((s + shrink * gm) / (n + shrink) - gm);
  };
  const routeShift = Array.from({ length: classes }, (_, c) => shiftOf(c));

  // Threshold (log space, before the route shift): the operating point that rejects `maxDrop` of the in-scope
  // rows that were routed correctly (rejecting a misrouted in-scope text costs no accuracy), i.e. as many
  // unseen intents as that budget allows. Correct rows are scored with their own row left out of their
  // route's mean.
  const correctConf: number[] = [];
  inRows.forEach((r, i) => {
    if (r.correct) correctConf.push((inLog[i] as number) - shiftOf(r.top, inLog[i]));
  });
  correctConf.sort((a, b) => a - b);
  const budget = Math.floor(maxDrop * inRows.length);
  const logThreshold =
    correctConf.length === 0
      ? Number.NEGATIVE_INFINITY
      : (correctConf[Math.min(budget, correctConf.length - 1)] as number);
  let threshold = Math.exp(logThreshold);
  // Few out-of-fold rows make the fitted threshold noisy (one odd example sets it); then never go below an
  // even-odds prior, i.e. reject unless the text is more likely in scope and on this route than not.
  if (small) threshold = Math.max(threshold, 0.5);
  return { temperature, gate, threshold, routeShift };
}

/** A route's threshold moves by at most a factor e either way. */
const clampShift = (x: number) => Math.max(-1, Math.min(1, x));

/**
 * Softmax temperature by maximum likelihood over a geometric grid (0.005 * 1.3^i, i < 24). The negative
 * log-likelihood is unimodal in log T, so a ternary search over the grid needs ~10 evaluations, not 24.
 */
function fitTemperature(fit: CalibrationRow[], probs: Float64Array): number {
  const memo = new Map<number, number>();
  const nll = (ti: number): number => {
    const hit = memo.get(ti);
    if (hit !== undefined) return hit;
    const t = 0.005 * 1.3 ** ti;
    let v = 0;
    for (const r of fit) {
      softmax(r.scores, t, probs);
      let p = 0;
      for (const l of r.labels) p += probs[l] as number;
      v -= Math.log(Math.max(p, 1e-12));
    }
    memo.set(ti, v);
    return v;
  };
  let lo = 0;
  let hi = 23;
  while (hi - lo > 2) {
    const m1 = lo + Math.floor((hi - lo) / 3);
    const m2 = hi - Math.floor((hi - lo) / 3);
    if (nll(m1) <= nll(m2)) hi = m2 - 1;
    else lo = m1 + 1;
  }
  let best = lo;
  for (let ti = lo + 1; ti <= hi; ti++) if (nll(ti) < nll(best)) best = ti;
  return 0.005 * 1.3 ** best;
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
