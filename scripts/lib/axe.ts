import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// axe-core, the accessibility rules engine, run inside a page the browser tests opened. It reaches
// into open Shadow DOMs (the chat widget), so one call checks the page and the widget together.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string | null; help: string; targets: string[] };

/**
 * The WCAG 2.x A/AA violations on the page as it is now (none is the goal); `include` limits the
 * check to one part (a CSS selector), e.g. the widget on a customer's page that is not ours.
 */
export async function axeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (include) => {
    type Result = {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[]; failureSummary?: string }[];
      }[];
    };
    // Runs in the page (this file is type-checked without the DOM library).
    const page = globalThis as unknown as {
      axe: { run: (ctx: unknown, opts: unknown) => Promise<Result> };
      document: unknown;
    };
    const result = await page.axe.run(include ? { include: [[include]] } : page.document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary ?? ""}`),
    }));
  }, include);
}
