import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

// Debian's Chromium (`.ci/run` installs it) for the browser tests of every app; where it is absent
// they skip, loudly.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** The loud message a file (or the global setup) prints when it skips for want of Chromium. */
export function warnNoChromium(what: string): void {
  console.error(
    `\n${"!".repeat(78)}\n!! SKIPPED: ${what} — no Chromium at ${CHROMIUM}.\n` +
      `!! Install it (apt-get install -y chromium) or set CHROMIUM_PATH.\n${"!".repeat(78)}\n`,
  );
}

/**
 * Page loads wait for every script. `wrangler dev` once served one static asset after 20.8 s on a
 * loaded CI machine (the page itself in 64 ms), so navigations get more time than other waits.
 */
export const NAVIGATION_TIMEOUT_MS = 60_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
