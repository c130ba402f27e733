// What every dashboard browser test uses: Chromium and axe from the repo's scripts, and screenshots
// (desktop and phone width, with the phone's no-sideways-scroll check) in .data/screenshots/dashboard/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlugin, pack } from "@autopilot/sdk/build";
import type { APIResponse, Browser, Page } from "playwright-core";
import { expect } from "vitest";

export { axeViolations } from "../../../scripts/lib/axe.js";

import { NAVIGATION_TIMEOUT_MS } from "../../../scripts/lib/chromium.js";

export {
  hasChromium,
  launchChromium,
  NAVIGATION_TIMEOUT_MS,
  warnNoChromium,
} from "../../../scripts/lib/chromium.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SHOTS = join(ROOT, ".data", "screenshots", "dashboard");

/** A full-page screenshot named `name`. */
export function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Full-page screenshots at 1280 px and at 390 px (no sideways scroll there), then back to 1280. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  const sideScroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(sideScroll, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
}

/** A response's JSON body, after checking it succeeded (the body is in the failure message). */
export async function okJson(res: APIResponse) {
  const body = await res.json();
  expect(res.ok(), `${res.url()}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

/** A first-party plugin (plugins/<name>) built and packed as a developer would, into a scratch folder. */
export async function packedFirstParty(name: string): Promise<string> {
  const built = await buildPlugin(join(ROOT, "plugins", name));
  const scratch = join(ROOT, ".data", `e2e-${name}`);
  mkdirSync(join(scratch, "dist"), { recursive: true });
  return pack(scratch, built).path;
}

/** Chromium at 1280 px, signed up as a new workspace's owner (the session cookie in its context). */
export async function signedUpPage(
  browser: Browser,
  dash: string,
  who: { name: string; companyName: string; tag: string },
): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const signup = await page.request.post(`${dash}/api/v1/auth/signup`, {
    data: {
      name: who.name,
      companyName: who.companyName,
      email: `${who.tag}-${Date.now()}@e2e.example`,
      password: "correct-horse-battery",
    },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  return page;
}
