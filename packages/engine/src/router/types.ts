// Contract between the router and the rest of the engine (step function, host).
// The compiled model is plain JSON so the host can store it in Postgres and cache it in a DO.

/** What the router needs of a route; the full Route schema lives in ../routes. */
export type RouteForRouting = {
  id: string;
  name: string;
  description?: string;
  examples: string[];
  priority?: number; // higher wins ties
  enabled?: boolean; // disabled routes are left out of the model
};

export type RouterCandidate = {
  routeId: string;
  /** Raw similarity score (model-specific scale). */
  score: number;
  /** Calibrated probability-like confidence in [0, 1]. */
  confidence: number;
};

export type Selection = {
  /** Ranked best first; at most `topK` (default 5). */
  candidates: RouterCandidate[];
  /** The top candidate, or null when out of scope. */
  top: RouterCandidate | null;
  /** True when the top confidence is below the model's out-of-scope threshold. */
  outOfScope: boolean;
  /** True when confidence is low enough that an LLM should adjudicate among the candidates (if one is configured). */
  needsAdjudication: boolean;
};

export type SelectOptions = {
  topK?: number;
  /** Overrides the model's out-of-scope threshold. */
  threshold?: number;
  /** Hybrid scoring: cosine similarities of the text's embedding to each route (from the host's embedding provider). */
  embeddingSimilarities?: Record<string, number>;
};
