// Issue 22's page figure: each dashboard screen loaded cold in Chromium, on the same services as
// `npm start` (PGlite, edge-api and the built dashboard in `wrangler dev`, on free ports), as the demo
// workspace's owner with its demo CRM. Cold = a fresh browser context (empty HTTP cache, the session
// cookie only) per load. Each load's time is from navigation start to the last byte of the last
// request it made (the document, its scripts and styles, the data requests after hydration): "network
// idle" without Playwright's 500 ms of quiet. Also the document's own time to first byte (the server
// rendering: loaders and their API calls). Median of PAGES_RUNS loads per route.
//
// The same-run floor: each route's rendered document and the same assets served by a plain Node server
// (static-pages.ts), loaded the same way, alternating with the stack's loads. What the browser itself
// costs on this machine for those bytes; the stack's time above it is ours (rendering, the API, wrangler).
import { launchChromium } from "../lib/chromium.js";
import { seedWorkspace } from "../lib/seed.js";
import { DEMO_ACCOUNT } from "../start/demo.js";
import { seedDemoCrm } from "../start/demo-crm.js";
import { startLocalStack } from "../start/local-stack.js";
import type { Bench } from "./registry.js";
import { startStaticPages } from "./static-pages.js";
import { median, percentile, round } from "./stats.js";

const RUNS = Number(process.env.PAGES_RUNS ?? 5);
const TARGET_MS = 500;
export const PAGE_ROUTES = [
  "/",
  "/inbox",
  "/contacts",
  "/companies",
  "/leads",
  "/deals",
  "/routes",
  "/reports",
  "/knowledge",
  "/marketplace",
  "/settings",
  "/settings/plugins",
  "/settings/webhooks",
];

type Load = { totalMs: number; documentTtfbMs: number; requests: number };

export const pages: Bench = {
  name: "pages",
  description: `dashboard screens loaded cold in Chromium on the local stack: median ms to the last request, per route (target ≤ ${TARGET_MS} ms), beside the same documents and assets from a static server`,
  async run(ctx) {
    const stack = await startLocalStack(ctx.root);
    const browser = await launchChromium();
    let floor: Awaited<ReturnType<typeof startStaticPages>> | undefined;
    try {
      const call = (path: string, init?: RequestInit) =>
        fetch(`${stack.apiUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
      const { apiKey } = await seedWorkspace(call, DEMO_ACCOUNT, { name: "bench pages", role: "owner" });
      await seedDemoCrm(call, apiKey);
      const login = await browser.newContext();
      const res = await login.request.post(`${stack.dashboardUrl}/api/v1/auth/login`, {
        data: { email: DEMO_ACCOUNT.email, password: DEMO_ACCOUNT.password },
      });
      if (!res.ok()) throw new Error(`login: ${res.status()} ${await res.text()}`);
      const session = await login.storageState();
      await login.close();
      // The documents as the dashboard renders them for this user, for the static floor.
      const cookie = session.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
      const documents = new Map<string, string>();
      for (const path of PAGE_ROUTES) {
        const doc = await fetch(`${stack.dashboardUrl}${path}`, {
          headers: { cookie },
          signal: AbortSignal.timeout(15_000),
        });
        if (doc.status !== 200) throw new Error(`${path}: the document answered ${doc.status}`);
        documents.set(path, await doc.text());
      }
      floor = await startStaticPages(documents, stack.dashboardClientDir);
      console.log(
        `  setup: the demo workspace and CRM; ${RUNS} cold loads per route, 1280×800, alternating with` +
          " the same document and assets from a static server (the floor)",
      );

      const load = async (base: string, path: string): Promise<Load> => {
        const context = await browser.newContext({
          storageState: session,
          viewport: { width: 1280, height: 800 },
        });
        try {
          const page = await context.newPage();
          await page.goto(`${base}${path}`, { waitUntil: "networkidle", timeout: 60_000 });
          if (new URL(page.url()).pathname.startsWith("/login"))
            throw new Error(`${path}: sent to the login page`);
          // Runs in the page (a string: the repo's TypeScript has no DOM types).
          return (await page.evaluate(`(() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const resources = performance.getEntriesByType("resource");
            const end = Math.max(nav.loadEventEnd, nav.responseEnd, ...resources.map((r) => r.responseEnd));
            return { totalMs: end, documentTtfbMs: nav.responseStart, requests: resources.length + 1 };
          })()`)) as Load;
        } finally {
          await context.close();
        }
      };

      const floorUrl = floor.url;
      // One load of each first, so wrangler's and the database's first-request costs are not counted.
      for (const path of PAGE_ROUTES) {
        await load(stack.dashboardUrl, path);
        await load(floorUrl, path);
      }
      const metrics: Record<string, number> = {};
      const medians: number[] = [];
      const floors: number[] = [];
      for (const path of PAGE_ROUTES) {
        const loads: Load[] = [];
        const floorLoads: Load[] = [];
        // Alternating, so both meet the same background load.
        for (let i = 0; i < RUNS; i++) {
          if (i % 2 === 0) {
            loads.push(await load(stack.dashboardUrl, path));
            floorLoads.push(await load(floorUrl, path));
          } else {
            floorLoads.push(await load(floorUrl, path));
            loads.push(await load(stack.dashboardUrl, path));
          }
        }
        const total = median(loads.map((l) => l.totalMs));
        const ttfb = median(loads.map((l) => l.documentTtfbMs));
        const floorTotal = median(floorLoads.map((l) => l.totalMs));
        medians.push(total);
        floors.push(floorTotal);
        const key = path === "/" ? "home" : path.slice(1).replaceAll("/", "_");
        metrics[`${key}_median_ms`] = round(total, 1);
        metrics[`${key}_document_ttfb_median_ms`] = round(ttfb, 1);
        metrics[`${key}_browser_floor_median_ms`] = round(floorTotal, 1);
        console.log(
          `  ${path.padEnd(20)} ${total.toFixed(0).padStart(5)} ms (document first byte ${ttfb.toFixed(0)} ms, ${loads[0]?.requests ?? 0} requests); static floor ${floorTotal.toFixed(0)} ms`,
        );
      }
      const worst = Math.max(...medians);
      const within = medians.filter((m) => m <= TARGET_MS).length;
      const floorWithin = floors.filter((m) => m <= TARGET_MS).length;
      const over = median(medians.map((m, i) => m - (floors[i] ?? 0)));
      console.log(
        `  slowest route median ${worst.toFixed(0)} ms; ${within} of ${medians.length} within ${TARGET_MS} ms` +
          `\n  static floor: slowest ${Math.max(...floors).toFixed(0)} ms, ${floorWithin} of ${floors.length} within ${TARGET_MS} ms;` +
          ` the stack's time over the floor, median across routes ${over.toFixed(0)} ms`,
      );
      return {
        ...metrics,
        slowest_route_median_ms: round(worst, 1),
        routes_within_target: within,
        routes: medians.length,
        target_ms: TARGET_MS,
        slowest_route_browser_floor_median_ms: round(Math.max(...floors), 1),
        routes_floor_within_target: floorWithin,
        stack_over_floor_median_ms: round(over, 1),
      };
    } finally {
      await floor?.close();
      await browser.close();
      await stack.stop();
    }
  },
};
