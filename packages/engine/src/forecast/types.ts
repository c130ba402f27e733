export type StageCategory = "open" | "won" | "lost";
export type ForecastCategory = "pipeline" | "best_case" | "commit";

/** One deal, or several deals pre-summed by the database (then `count` says how many). */
export type ForecastRow = {
  /** "YYYY-MM": expected close month for open deals, the month closed for won ones; null = undated. */
  month: string | null;
  ownerId: string | null;
  stageCategory: StageCategory;
  forecastCategory: ForecastCategory;
  /** 0–100, the stage's probability. */
  probability: number;
  amount: number;
  count?: number;
};

/**
 * The forecast for one close month and owner. Categories are cumulative, as sales teams read them:
 * closedWon ⊆ commit ⊆ bestCase; pipeline is every open deal regardless of the rep's call.
 */
export type ForecastCell = {
  month: string | null;
  ownerId: string | null;
  /** Σ amount of open deals. */
  pipeline: number;
  /** closedWon + open deals called best case or commit. */
  bestCase: number;
  /** closedWon + open deals called commit. */
  commit: number;
  closedWon: number;
  /** Σ amount × probability of open deals. */
  weighted: number;
  openDeals: number;
  wonDeals: number;
};
