import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { LOCAL_SECRETS } from "../../scripts/lib/local-secrets.js";

// Tests run inside workerd against the real database path: neon driver → WebSocket bridge → PGlite
// (default) or the PostgreSQL server named by DATABASE_URL (a fresh database per run).
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "../../wrangler.toml" },
      miniflare: {
        bindings: {
          ...LOCAL_SECRETS,
          DATABASE_URL: inject("databaseUrl"),
          DB_BRIDGE: `127.0.0.1:${inject("bridgePort")}`,
          DATABASE_KIND: inject("databaseKind"),
          FAKE_OPENAI_URL: inject("fakeOpenAiUrl"),
          // Knowledge crawler: the fixture site is local, no politeness delay, short deadline, small cap.
          KNOWLEDGE_SITE_URL: inject("knowledgeSiteUrl"),
          // The fault test's database path through a proxy it can cut (test/outage-proxy.ts).
          OUTAGE_BRIDGE: inject("outageBridge"),
          OUTAGE_CONTROL_URL: inject("outageControlUrl"),
          LOCAL_DEVELOPMENT: "1",
          // The tests play Cloudflare's edge: each call brings its own CF-Connecting-IP (helpers.ts).
          TRUST_CLIENT_IP: "1",
          MAILER: "dev-outbox",
          // Platform staff for the marketplace tests (marketplace.test.ts signs this address up).
          PLATFORM_OPERATORS: "staff@platform.test, pending-staff@platform.test",
          KNOWLEDGE_CRAWL_DELAY_MS: "0",
          // Small import slices, so a few hundred rows already take several queued slices.
          IMPORT_SLICE_ROWS: "200",
          KNOWLEDGE_FETCH_TIMEOUT_MS: "800",
          KNOWLEDGE_MAX_PAGE_BYTES: "100000",
          KNOWLEDGE_MAX_UPLOAD_BYTES: "200000",
          // Short AI deadlines so the timeout fallback is tested in well under a second per try.
          AI_TIMEOUT_MS: "400",
          AI_RETRIES: "1",
          // Low enough that the rate-limit test reaches it; other tests sign up from their own IPs.
          RATE_LIMIT_AUTH_PER_MIN: "5",
        },
        // Workers AI: a local fake of the binding (test/fake-workers-ai.js), called over RPC like the real one.
        serviceBindings: { AI: { name: "fake-workers-ai", entrypoint: "FakeWorkersAi" } },
        workers: [
          {
            name: "fake-workers-ai",
            modules: true,
            scriptPath: "./test/fake-workers-ai.js",
            compatibilityDate: "2025-09-01",
          },
        ],
      },
    })),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    // Integration tests in test/; unit tests beside their module in src/.
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 30_000,
    silent: "passed-only",
    hookTimeout: 60_000,
  },
});
