import type { Env } from "../src/env.js";

declare module "cloudflare:test" {
  interface ProvidedEnv extends Env {
    DATABASE_KIND: "pglite" | "postgres";
  }
}
