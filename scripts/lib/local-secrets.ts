// The edge-api worker's secrets for local runs only (npm start, tests, benchmarks), passed as bindings.
// Not in wrangler.toml, so `wrangler deploy` never carries them: production sets its own with
// `wrangler secret put` (README, "Production"). Fixed values, so a restarted `npm start` still opens
// the AI keys it sealed before.
export const LOCAL_SECRETS = {
  VISITOR_TOKEN_SECRET: "dev-visitor-token-secret-change-me",
  AI_MASTER_KEY: "ZGV2LWFpLW1hc3Rlci1rZXktMzItYnl0ZXMtbG9uZyE=",
};
