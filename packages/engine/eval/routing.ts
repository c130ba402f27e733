// Route-selector evaluation: npm run eval:routing -- --train FILE --test FILE [--shots K] [--oos FILE]
//   [--holdout N] [--dev] [--options JSON]
// Files are CSV with a header (text first, label second, whatever their names) or JSONL {text,label}.
// --dev evaluates on a 10%-per-label split carved out of --train (for tuning; --test is then ignored).
// --holdout N removes N labels (every floor(L/N)-th in sorted order) from training and treats their test
// rows as out of scope. Prints human-readable lines, then one JSON line with the metrics.

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { type CompileOptions, compileRouter, type RouterModel, select } from "../src/router/index.js";
import type { RouteForRouting } from "../src/router/types.js";

type Row = { text: string; label: string };

function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

function readRows(file: string): Row[] {
  const src = readFileSync(file, "utf8");
  if (file.endsWith(".jsonl") || src.trimStart().startsWith("{")) {
    return src
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => {
        const o = JSON.parse(l) as { text: string; label: string };
        return { text: String(o.text), label: String(o.label) };
      });
  }
  return parseCsv(src)
    .slice(1)
    .map((r) => ({ text: r[0] ?? "", label: r[1] ?? "" }));
}

function args(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) m.set(a.slice(2), "true");
    else {
      m.set(a.slice(2), next);
      i++;
    }
  }
  return m;
}

const a = args(process.argv.slice(2));
const trainFile = a.get("train");
if (!trainFile) {
  console.error(
    "usage: eval:routing --train FILE --test FILE [--shots K] [--oos FILE] [--holdout N] [--dev]",
  );
  process.exit(2);
}
let train = readRows(trainFile);
let test: Row[];
if (a.has("dev")) {
  const seen = new Map<string, number>();
  const isDev = train.map((r) => {
    const n = seen.get(r.label) ?? 0;
    seen.set(r.label, n + 1);
    return n % 10 === 9;
  });
  test = train.filter((_, i) => isDev[i]);
  train = train.filter((_, i) => !isDev[i]);
} else {
  const testFile = a.get("test");
  if (!testFile) throw new Error("--test FILE is required unless --dev");
  test = readRows(testFile);
}
const OOS = "\u0000oos";
let oos: Row[] = a.get("oos")
  ? readRows(a.get("oos") as string).map((r) => ({ text: r.text, label: OOS }))
  : [];
const holdout = Number(a.get("holdout") ?? 0);
let heldOut: string[] = [];
if (holdout > 0) {
  const labels = [...new Set(train.map((r) => r.label))].sort();
  const step = Math.floor(labels.length / holdout);
  heldOut = Array.from({ length: holdout }, (_, i) => labels[i * step] as string);
  const held = new Set(heldOut);
  train = train.filter((r) => !held.has(r.label));
  oos = oos.concat(test.filter((r) => held.has(r.label)).map((r) => ({ text: r.text, label: OOS })));
  test = test.filter((r) => !held.has(r.label));
}
const shots = a.get("shots") ? Number(a.get("shots")) : undefined;
if (shots !== undefined) {
  const kept = new Map<string, number>();
  train = train.filter((r) => {
    const n = kept.get(r.label) ?? 0;
    kept.set(r.label, n + 1);
    return n < shots;
  });
}

const byLabel = new Map<string, string[]>();
for (const r of train) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r.text]);
const routes: RouteForRouting[] = [...byLabel].map(([label, examples]) => ({
  id: label,
  name: label.replace(/[_-]+/g, " "),
  examples,
}));
const options = a.get("options") ? (JSON.parse(a.get("options") as string) as CompileOptions) : {};

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const compiled = compileRouter(routes, options);
const compileMs = performance.now() - t0;
// CPU time of this process during compileRouter: on a shared machine wall time also counts other jobs.
const cpu = process.cpuUsage(cpu0);
const compileCpuMs = (cpu.user + cpu.system) / 1000;
const json = JSON.stringify(compiled);
const model = JSON.parse(json) as RouterModel; // evaluate the stored form, as the host would

console.log(`train: ${trainFile}${a.has("dev") ? " minus a 10%-per-label dev split" : ""}`);
console.log(`test: ${a.has("dev") ? "dev split of train" : a.get("test")}`);
if (a.get("oos")) console.log(`oos: ${a.get("oos")}`);
if (heldOut.length) console.log(`held-out labels (their test rows are out of scope): ${heldOut.join(", ")}`);
console.log(`shots per route: ${shots ?? "all"}`);
console.log(
  `routes: ${routes.length}, training examples: ${train.length}, model features: ${compiled.stats.features}`,
);
console.log(`test rows: ${test.length} in scope, ${oos.length} out of scope`);
console.log(
  `model: ${(json.length / 1024).toFixed(0)} KiB JSON, threshold ${compiled.calibration.threshold.toFixed(3)}`,
);

const all = [...test, ...oos];
for (let i = 0; i < Math.min(300, all.length); i++) select(model, (all[i] as Row).text); // warm-up
const times: number[] = [];
const results = all.map((r) => {
  const s0 = performance.now();
  const sel = select(model, r.text);
  times.push(performance.now() - s0);
  return sel;
});
times.sort((x, y) => x - y);
const medianUs = (times[Math.floor(times.length / 2)] as number) * 1000;

let correct = 0;
let correctThresh = 0;
const tp = new Map<string, number>();
const fp = new Map<string, number>();
const fn = new Map<string, number>();
const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
let oosTp = 0;
let oosPred = 0;
all.forEach((r, i) => {
  const sel = results[i] as ReturnType<typeof select>;
  const pred = sel.candidates[0]?.routeId ?? "";
  if (sel.outOfScope) oosPred++;
  if (r.label === OOS) {
    if (sel.outOfScope) oosTp++;
    return;
  }
  if (pred === r.label) {
    correct++;
    inc(tp, r.label);
    if (!sel.outOfScope) correctThresh++;
  } else {
    inc(fn, r.label);
    inc(fp, pred);
  }
});
const labels = [...new Set(test.map((r) => r.label))];
const f1s = labels.map((l) => {
  const t = tp.get(l) ?? 0;
  const p = t / Math.max(1, t + (fp.get(l) ?? 0));
  const rc = t / Math.max(1, t + (fn.get(l) ?? 0));
  return p + rc > 0 ? (2 * p * rc) / (p + rc) : 0;
});
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const accuracy = correct / Math.max(1, test.length);
const accThresh = correctThresh / Math.max(1, test.length);
const macroF1 = f1s.reduce((s, x) => s + x, 0) / Math.max(1, f1s.length);
console.log(`accuracy (top-1, in scope): ${(100 * accuracy).toFixed(2)}%`);
console.log(`macro-F1: ${(100 * macroF1).toFixed(2)}%`);
console.log(
  `in-scope accuracy with the out-of-scope threshold applied: ${(100 * accThresh).toFixed(2)}% (drop ${(100 * (accuracy - accThresh)).toFixed(2)} points)`,
);
const metrics: Record<string, number> = { accuracy: round(accuracy), macro_f1: round(macroF1) };
if (oos.length > 0) {
  const precision = oosTp / Math.max(1, oosPred);
  const recall = oosTp / oos.length;
  console.log(`OOS precision: ${(100 * precision).toFixed(2)}%, OOS recall: ${(100 * recall).toFixed(2)}%`);
  metrics.oos_precision = round(precision);
  metrics.oos_recall = round(recall);
}
metrics.accuracy_with_threshold = round(accThresh);
console.log(`select: median ${medianUs.toFixed(1)} µs over ${all.length} texts (after warm-up)`);
console.log(
  `compileRouter: ${compileMs.toFixed(0)} ms wall, ${compileCpuMs.toFixed(0)} ms CPU (load average ${loadavg()[0]?.toFixed(1)})`,
);
metrics.select_median_us = round(medianUs, 1);
metrics.compile_ms = Math.round(compileMs);
metrics.compile_cpu_ms = Math.round(compileCpuMs);
metrics.model_kib = Math.round(json.length / 1024);
console.log(JSON.stringify({ name: "routing", metrics }));
