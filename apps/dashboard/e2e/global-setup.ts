import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { hasChromium, warnNoChromium } from "../../../scripts/lib/chromium.js";
import { startLocalStack } from "./local-stack.js";

// One local stack (PGlite, edge-api and dashboard in `wrangler dev`) for every e2e file of the run:
// started once here, its URLs handed to the files with provide/inject, stopped after the last file.
// Each file signs up a workspace of its own, so the files share the stack but no data.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export default async function setup(project: TestProject) {
  if (!hasChromium) {
    warnNoChromium("all dashboard end-to-end tests (no local stack started)");
    project.provide("localStack", null);
    return;
  }
  // This run's screenshots only (the files write theirs here), so none is left over from an older run.
  const shots = join(ROOT, ".data", "screenshots", "dashboard");
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const started = Date.now();
  // The crawler refuses private addresses unless told otherwise: dashboard.e2e's test site is on 127.0.0.1.
  // marketplace.e2e's platform staff member signs up with this address.
  const stack = await startLocalStack(ROOT, {
    LOCAL_DEVELOPMENT: "1",
    PLATFORM_OPERATORS: "staff@e2e.example",
  });
  console.log(
    `[e2e] local stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stack.dashboardUrl}`,
  );
  await warmUp(stack.dashboardUrl);
  project.provide("localStack", { apiUrl: stack.apiUrl, dashboardUrl: stack.dashboardUrl });
  return async () => {
    await stack.stop();
  };
}

/**
 * The first request to each `wrangler dev` worker loads and compiles it, which on a loaded CI machine
 * took longer than a test's 20 s navigation timeout; one page and its scripts are fetched first.
 */
async function warmUp(dashboardUrl: string): Promise<void> {
  const started = Date.now();
  const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(120_000) });
  const html = await (await get(`${dashboardUrl}/signup`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  await Promise.all(
    [...new Set(assets)].slice(0, 50).map((a) => get(`${dashboardUrl}${a}`).then((r) => r.arrayBuffer())),
  );
  console.log(
    `[e2e] dashboard warmed up in ${((Date.now() - started) / 1000).toFixed(1)} s (${assets.length} assets)`,
  );
}
