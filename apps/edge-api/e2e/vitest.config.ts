import { defineConfig } from "vitest/config";

// End-to-end tests run in Node (not workerd): they start the worker in Miniflare and drive Chromium.
export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
