// Variable paths used by templates and conditions, and how they resolve against a conversation.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Contact attributes the engine knows by name; anything else goes under `contact.attributes.*`. */
export const CONTACT_KEYS = ["firstName", "lastName", "fullName", "email", "phone", "company"] as const;

export type Contact = {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  company?: string;
  attributes?: Record<string, JsonValue>;
};

/** Everything a template or condition can read. */
export type Scope = {
  contact?: Contact;
  fields: Record<string, JsonValue>;
  business?: { name?: string };
  route?: { name: string };
};

function fullName(c: Contact): string | undefined {
  const s = [c.firstName, c.lastName].filter(Boolean).join(" ");
  return s || undefined;
}

/** Reads a path; undefined when any segment is missing. */
export function resolveVariable(scope: Scope, path: string): JsonValue | undefined {
  const [root, ...rest] = path.split(".");
  let cur: JsonValue | undefined;
  if (root === "contact") {
    const c = scope.contact ?? {};
    const head = rest.shift();
    if (head === "attributes") cur = (c.attributes ?? {}) as JsonValue;
    else if (head === "fullName") cur = fullName(c);
    else if (head && (CONTACT_KEYS as readonly string[]).includes(head))
      cur = c[head as keyof Contact] as JsonValue;
    else return undefined;
  } else if (root === "fields") cur = scope.fields as JsonValue;
  else if (root === "business") cur = (scope.business ?? {}) as JsonValue;
  else if (root === "route") cur = (scope.route ?? {}) as JsonValue;
  else return undefined;
  for (const key of rest) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Static check used by validateRoute: is this path one the engine can ever resolve? Field names are checked separately. */
export function isKnownRoot(path: string): boolean {
  const [root, head, ...rest] = path.split(".");
  if (root === "contact") {
    if (head === "attributes") return rest.length >= 1;
    return (
      rest.length === 0 && (head === "fullName" || (CONTACT_KEYS as readonly string[]).includes(head ?? ""))
    );
  }
  if (root === "business") return head === "name" && rest.length === 0;
  if (root === "route") return head === "name" && rest.length === 0;
  return root === "fields" && head !== undefined;
}

/** `fields.budget.amount` → `budget`; null for non-field paths. */
export function fieldOf(path: string): string | null {
  const [root, name] = path.split(".");
  return root === "fields" && name ? name : null;
}
