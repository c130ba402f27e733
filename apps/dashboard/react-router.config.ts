import type { Config } from "@react-router/dev/config";

// Server-rendered on Workers: `react-router build` writes build/client (static assets, served by the
// Workers assets binding) and build/server (imported by worker/index.ts, bundled by wrangler).
// DASHBOARD_BUILD_DIR puts a build elsewhere: e2e runs build their own copy, so a run (or `npm start`)
// rebuilding the shared build/ does not swap the files under another run's `wrangler dev`.
export default {
  ssr: true,
  appDirectory: "app",
  buildDirectory: process.env.DASHBOARD_BUILD_DIR || "build",
  // The whole route manifest goes with the first page (a few KB for these ~40 routes) instead of a
  // /__manifest request after every page load (lazy discovery, for apps with thousands of routes).
  routeDiscovery: { mode: "initial" },
} satisfies Config;
