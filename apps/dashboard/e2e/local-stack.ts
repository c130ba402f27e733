import { inject } from "vitest";
import type { LocalStack } from "../../../scripts/start/local-stack.js";

export { type LocalStack, startLocalStack } from "../../../scripts/start/local-stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Empty when Chromium is absent (the files skip, no stack is started). */
    localStack: LocalStack | null;
  }
}

/** The one stack of this run (started by global-setup.ts); call it in beforeAll. */
export function sharedStack(): LocalStack {
  const stack = inject("localStack");
  if (!stack) throw new Error("no local stack: run with -c e2e/vitest.config.ts (its globalSetup starts it)");
  return stack;
}
