import type { Env, WorkerContext } from "../worker/env.js";

// What worker/index.ts hands every loader and action as `context`.
declare module "react-router" {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: WorkerContext };
  }
}
