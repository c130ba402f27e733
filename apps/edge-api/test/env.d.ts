import type { Env as AppBindings } from "../src/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      DATABASE_KIND: "pglite" | "postgres";
      FAKE_OPENAI_URL: string;
      KNOWLEDGE_SITE_URL: string;
      OUTAGE_BRIDGE: string;
      OUTAGE_CONTROL_URL: string;
    }
  }
}
