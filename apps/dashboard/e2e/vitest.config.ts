import { defineConfig } from "vitest/config";

// End-to-end tests run in Node and drive Chromium against the full local stack (database, edge-api,
// dashboard — the same services as `npm start`), started once for all files by global-setup.ts.
export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["**/*.e2e.test.ts"],
    globalSetup: ["./global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
