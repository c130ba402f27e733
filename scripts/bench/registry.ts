import { analytics } from "./analytics.js";
import { conversations } from "./conversations.js";
import { foundation } from "./foundation.js";
import { imports } from "./imports.js";
import { knowledge } from "./knowledge.js";
import { pages } from "./pages.js";
import { plugins } from "./plugins.js";
import { sales } from "./sales.js";
import { sync } from "./sync.js";
import { widget } from "./widget.js";

/** What a benchmark gets: the repository root and how long to measure each case. */
export type BenchContext = { root: string; seconds: number; maxCount: number };

/**
 * One benchmark: prints readable lines as it goes and returns its metrics, which `npm run bench`
 * prints as one JSON line `{"name", "metrics"}`.
 */
export type Bench = {
  name: string;
  description: string;
  run: (ctx: BenchContext) => Promise<Record<string, number>>;
};

/** Every benchmark `npm run bench` runs, in order; later issues add theirs here. */
export const benches: Bench[] = [
  foundation,
  conversations,
  analytics,
  sales,
  knowledge,
  widget,
  imports,
  plugins,
  sync,
  pages,
];
