import { defineConfig } from "vitest/config";

// The engine is pure (no globals, no I/O), so test files can share one thread pool without isolation;
// that keeps the suite to a couple of seconds instead of paying a fresh module graph per file.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], pool: "threads", isolate: false } });
