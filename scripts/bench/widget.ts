// Issue 14's figure: the size of /widget.js as customers' visitors download it (minified, and
// gzip level 9 as a CDN would send it), against the 20 KB gzip goal; plus how long the build takes.
import { buildWidget } from "@autopilot/widget/build";
import type { Bench } from "./registry.js";
import { round } from "./stats.js";

const GOAL_GZIP_BYTES = 20 * 1024;

export const widget: Bench = {
  name: "widget",
  description: "the chat widget's /widget.js: bytes minified and gzip (goal <= 20 KB gzip)",
  async run() {
    const times: number[] = [];
    let built = await buildWidget();
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      built = await buildWidget();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const buildMs = times[Math.floor(times.length / 2)] ?? 0;
    console.log(
      `  widget.js: ${built.bytes} bytes minified, ${built.gzipBytes} bytes gzip ` +
        `(${round((built.gzipBytes / GOAL_GZIP_BYTES) * 100, 1)}% of the 20 KB goal); build median ${round(buildMs, 1)} ms`,
    );
    return {
      widget_bytes: built.bytes,
      widget_gzip_bytes: built.gzipBytes,
      widget_gzip_goal_ratio: round(built.gzipBytes / GOAL_GZIP_BYTES, 3),
      build_median_ms: round(buildMs, 1),
    };
  },
};
