// What a plugin may ask for. Each permission opens exactly one capability (a set of methods on the
// host); a plugin has nothing else: no database, no network beyond its declared hosts.

export const PERMISSIONS = [
  "contacts:read",
  "contacts:write",
  "companies:read",
  "companies:write",
  "leads:read",
  "leads:write",
  "deals:read",
  "deals:write",
  "conversations:read",
  "conversations:write",
  "events:subscribe",
  "analytics:read",
  "storage",
  "sync",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** How each permission reads on a consent screen. */
export const PERMISSION_TEXT: Record<Permission, string> = {
  "contacts:read": "Read your contacts",
  "contacts:write": "Create and change contacts",
  "companies:read": "Read your companies",
  "companies:write": "Create and change companies",
  "leads:read": "Read your leads",
  "leads:write": "Create and change leads",
  "deals:read": "Read your deals",
  "deals:write": "Create and change deals",
  "conversations:read": "Read conversations",
  "conversations:write": "Write into conversations",
  "events:subscribe": "Be told about events (new leads, messages, deals…)",
  "analytics:read": "Read your reports' figures",
  storage: "Keep its own small data store",
  sync: "Remember which of your records match which in another system",
};
