import { defineConfig } from "vitest/config";

// The widget's units run against happy-dom (a DOM in Node); the real browser is the e2e test in
// apps/edge-api/e2e, which loads the built file into Chromium.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], environment: "happy-dom" } });
