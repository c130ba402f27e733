// The compiled router as plain JSON (numbers and base64 strings), and its in-memory form.
// Hydration decodes the arrays once per model object and caches them in a WeakMap, so a model parsed
// from storage and the one returned by compileRouter take exactly the same code path.

import { decodeF32, decodeI32, decodeU32, encode } from "./codec.js";
import type { Csr } from "./csr.js";
import { buildHashIndex, type FeatureConfig, type Vocabulary } from "./features.js";
import { type ExampleIndex, type KnnScratch, knnScratch } from "./similarity.js";

export const ROUTER_MODEL_VERSION = 3;

type CsrJson = { ptr: string; col: string; val: string };

export type Blend = { linear: number; centroid: number; knn: number; knnPower: number };

export type RouterModel = {
  /** Model format version; select refuses other versions. */
  version: number;
  routes: { id: string; priority: number }[];
  features: FeatureConfig & { hashes: string; idf: string; unknownIdf: number };
  linear: CsrJson;
  centroids: CsrJson;
  examples: { postings: CsrJson; labelPtr: string; labels: string; weight: string };
  blend: Blend;
  calibration: {
    temperature: number;
    /** Logistic in-scope model over calibrate.signals: weights then bias; see calibrate.ts. */
    gate: number[];
    /** Minimum number of known content words (features.knownContent) for a text to be in scope. */
    evidenceFloor: number;
    threshold: number;
    /** Per route, log factor on `threshold` for texts routed there (class-conditional thresholds). */
    routeShift: number[];
    /** needsAdjudication when threshold <= confidence < threshold + band ... */
    adjudicationBand: number;
    /** ... or when the top two confidences differ by less than this. */
    adjudicationMargin: number;
    /** Weight of embedding similarities in hybrid scoring (added to the blended lexical score). */
    embeddingWeight: number;
  };
  stats: { examples: number; features: number; linearNonZeros: number };
};

export type Hydrated = {
  classes: number;
  vocab: Vocabulary;
  linear: Csr;
  centroids: Csr;
  examples: ExampleIndex;
  scratch: KnnScratch;
};

export const csrToJson = (m: Csr): CsrJson => ({
  ptr: encode(m.ptr),
  col: encode(m.col),
  val: encode(m.val),
});
const csrFromJson = (j: CsrJson): Csr => ({
  ptr: decodeI32(j.ptr),
  col: decodeI32(j.col),
  val: decodeF32(j.val),
});

const cache = new WeakMap<RouterModel, Hydrated>();

export function hydrate(model: RouterModel): Hydrated {
  const hit = cache.get(model);
  if (hit) return hit;
  if (model.version !== ROUTER_MODEL_VERSION) {
    throw new Error(
      `router model version ${model.version} is not supported (expected ${ROUTER_MODEL_VERSION})`,
    );
  }
  const hashes = decodeU32(model.features.hashes);
  const weight = decodeF32(model.examples.weight);
  const h: Hydrated = {
    classes: model.routes.length,
    vocab: {
      table: buildHashIndex(hashes),
      idf: decodeF32(model.features.idf),
      unknownIdf: model.features.unknownIdf,
    },
    linear: csrFromJson(model.linear),
    centroids: csrFromJson(model.centroids),
    examples: {
      postings: csrFromJson(model.examples.postings),
      labelPtr: decodeI32(model.examples.labelPtr),
      labels: decodeI32(model.examples.labels),
      weight,
    },
    scratch: knnScratch(weight.length),
  };
  cache.set(model, h);
  return h;
}
