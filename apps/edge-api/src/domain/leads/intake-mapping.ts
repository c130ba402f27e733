import type { IntakeMapping } from "@autopilot/db";

// How a form tool's payload becomes a contact and a lead: the fields the workspace mapped (dot paths
// into the payload), else the names form tools commonly use, found at the top, under `data`,
// `fields` or `data.fields`, or in a list of `{key|label|name, value}` pairs (Tally, Typeform-like).

export type MappedLead = {
  contact: { name?: string; email?: string; phone?: string };
  company?: { name: string };
  title?: string;
  attributes: Record<string, string | number | boolean>;
};

const COMMON: Record<Exclude<keyof IntakeMapping, "attributes">, string[]> = {
  email: ["email", "e-mail", "email_address", "emailaddress", "mail"],
  name: ["name", "full_name", "fullname", "your_name", "contact_name"],
  firstName: ["first_name", "firstname", "given_name"],
  lastName: ["last_name", "lastname", "family_name", "surname"],
  phone: ["phone", "phone_number", "phonenumber", "tel", "telephone", "mobile"],
  company: ["company", "company_name", "organization", "organisation", "business"],
  title: ["subject", "message", "inquiry", "enquiry", "comments", "notes"],
};

const normal = (key: string) =>
  key
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/** The value at a dot path ("data.fields.email"), if it is a plain value. */
export function valueAt(payload: unknown, path: string): string | number | boolean | undefined {
  let at: unknown = payload;
  for (const part of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === "string" || typeof at === "number" || typeof at === "boolean" ? at : undefined;
}

/** Every plain field the payload carries, by normalised name, from the places form tools put them. */
function fieldsOf(payload: unknown): Map<string, string | number | boolean> {
  const found = new Map<string, string | number | boolean>();
  const take = (o: unknown) => {
    if (Array.isArray(o)) {
      for (const item of o) {
        if (!item || typeof item !== "object") continue;
        const r = item as Record<string, unknown>;
        const key = [r.key, r.label, r.name, r.title].find((k) => typeof k === "string") as
          | string
          | undefined;
        const v = r.value;
        if (
          key &&
          (typeof v === "string" || typeof v === "number" || typeof v === "boolean") &&
          !found.has(normal(key))
        )
          found.set(normal(key), v);
      }
      return;
    }
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o as Record<string, unknown>))
      if ((typeof v === "string" || typeof v === "number" || typeof v === "boolean") && !found.has(normal(k)))
        found.set(normal(k), v);
  };
  const p = payload as Record<string, unknown> | null;
  take(p);
  const data = p && typeof p === "object" ? (p.data as Record<string, unknown> | undefined) : undefined;
  take(data);
  take(p?.fields);
  take(data?.fields);
  return found;
}

const text = (v: string | number | boolean | undefined, max: number) => {
  const s = v === undefined ? "" : String(v).trim();
  return s ? s.slice(0, max) : undefined;
};

export function mapPayload(payload: unknown, mapping: IntakeMapping): MappedLead {
  const fields = fieldsOf(payload);
  const pick = (key: Exclude<keyof IntakeMapping, "attributes">) => {
    const path = mapping[key];
    if (path) return valueAt(payload, path);
    for (const name of COMMON[key]) if (fields.has(name)) return fields.get(name);
    return undefined;
  };
  const full = text(pick("name"), 200);
  const parts = [text(pick("firstName"), 100), text(pick("lastName"), 100)].filter(Boolean).join(" ");
  const name = full ?? (parts || undefined);
  const email = text(pick("email"), 254)?.toLowerCase();
  const phone = text(pick("phone"), 40);
  const company = text(pick("company"), 200);
  const title = text(pick("title"), 300);
  const attributes: MappedLead["attributes"] = {};
  for (const [key, path] of Object.entries(mapping.attributes ?? {})) {
    const v = valueAt(payload, path);
    if (v !== undefined) attributes[key] = typeof v === "string" ? v.slice(0, 500) : v;
  }
  return {
    contact: { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
    ...(company ? { company: { name: company } } : {}),
    ...(title ? { title } : {}),
    attributes,
  };
}
