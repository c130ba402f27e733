// Per isolate, per tenant: a value loaded at most once every `ttlMs`, so a change applies within it
// (who subscribes to events, which webhook endpoints are active). Bounded: past `max` tenants it starts over.

export function tenantCache<T>(ttlMs: number, max = 5_000) {
  const entries = new Map<string, { at: number; value: T }>();
  return {
    async get(tenantId: string, now: number, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(tenantId);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = await load();
      if (entries.size > max) entries.clear();
      entries.set(tenantId, { at: now, value });
      return value;
    },
    forget(tenantId?: string): void {
      if (tenantId) entries.delete(tenantId);
      else entries.clear();
    },
  };
}
