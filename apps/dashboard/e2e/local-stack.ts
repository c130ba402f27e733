import { inject } from "vitest";
import type { LocalStack as StartedStack } from "../../../scripts/start/local-stack.js";

export { startLocalStack } from "../../../scripts/start/local-stack.js";

/** What the tests need of the stack (started by global-setup.ts): its two addresses. */
export type LocalStack = Pick<StartedStack, "apiUrl" | "dashboardUrl">;

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
