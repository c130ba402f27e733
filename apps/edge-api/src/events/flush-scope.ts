import { AsyncLocalStorage } from "node:async_hooks";

// Which tenants' outboxes a request wrote to, so the request flushes them right after its response
// (the cron sweeps whatever is left). recordEvent marks the tenant itself: no caller has to remember.
// Outside a request (queue consumers, Durable Objects, the cron) there is no scope and nothing is
// marked; those flush on their own.

const scope = new AsyncLocalStorage<Set<string>>();

/** Runs `fn`, adding to `tenants` every tenant whose events it records (also when `fn` fails). */
export function collectOutboxTenants<T>(tenants: Set<string>, fn: () => Promise<T>): Promise<T> {
  return scope.run(tenants, fn);
}

export function markOutboxTenant(tenantId: string): void {
  scope.getStore()?.add(tenantId);
}
