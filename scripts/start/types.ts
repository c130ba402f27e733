import type { LocalDatabase } from "@autopilot/db/local";

/** What the services started so far offer to the next ones (filled in as the list runs). */
export type Stack = {
  root: string;
  /** .data/ in the repository: everything local and generated lives here (git-ignored). */
  dataDir: string;
  /** 127.0.0.1 ports: edge-api (PORT, default 8787) and the dashboard (DASHBOARD_PORT, default 8788). */
  ports: { api: number; dashboard: number };
  /** Extra environment for the wrangler processes (tests isolate wrangler's dev registry with it). */
  wranglerEnv?: NodeJS.ProcessEnv;
  /** Extra `--var`s for edge-api (tests let the crawler read a site on 127.0.0.1). */
  apiVars?: Record<string, string>;
  /** Absolute folder for the dashboard's build instead of apps/dashboard/build (a test run's own). */
  dashboardBuildDir?: string;
  database?: LocalDatabase;
  /** Base URL of the edge-api worker, once it answers /health. */
  apiUrl?: string;
  /** A service whose process died after it started calls this; `npm start` then stops everything. */
  crashed: (service: string, reason: string) => void;
};

export type Running = {
  /** Lines printed in the summary once everything is up ("label", "value"). */
  summary?: [string, string][];
  stop: () => Promise<void>;
};

/** One thing `npm start` runs. Services start in list order and stop in reverse order. */
export type Service = {
  name: string;
  start: (stack: Stack) => Promise<Running>;
};
