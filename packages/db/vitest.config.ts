import { defineConfig } from "vitest/config";

// packages/db's own tests, in Node against a real database: PGlite by default, the PostgreSQL server
// named by DATABASE_URL (a fresh database per run) for `npm run test:db`.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 120_000 },
});
