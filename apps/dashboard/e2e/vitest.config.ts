import { defineConfig } from "vitest/config";

// End-to-end tests run in Node: they start the local stack (database, edge-api, dashboard — the same
// services as `npm start`) and drive Chromium.
export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
