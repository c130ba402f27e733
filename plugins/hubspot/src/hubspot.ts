import {
  type ContactFields,
  type ContactProvider,
  ProviderError,
  type PushInput,
  RateLimited,
  type RemoteContact,
} from "@autopilot/sdk";

// HubSpot's CRM v3 contacts API as the sync uses it (search by last modification, batch upsert by
// email, batch archive, read one), and the provider the SDK's contact sync runs on. A 429 becomes
// RateLimited with how long HubSpot asked to wait.

export type HubSpotContact = {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
  archived?: boolean;
};

export const CONTACT_PROPERTIES = ["email", "firstname", "lastname", "phone", "lastmodifieddate"];

export type HubSpot = ReturnType<typeof hubspot>;

export function hubspot(config: { accessToken: string; apiBaseUrl?: string }, fetcher: typeof fetch) {
  const base = (config.apiBaseUrl || "https://api.hubapi.com").replace(/\/+$/, "");
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetcher(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${config.accessToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 429) {
      const after = Number(res.headers.get("retry-after"));
      throw new RateLimited(Number.isFinite(after) && after > 0 ? Math.ceil(after) : 10, "HubSpot");
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // keep the text
      }
      throw new ProviderError(res.status, `HubSpot answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
  return {
    /** Contacts modified after `afterMs`, oldest first, one page. */
    searchModifiedAfter: (afterMs: number, limit: number) =>
      request<{ results: HubSpotContact[] }>("POST", "/crm/v3/objects/contacts/search", {
        filterGroups: [
          { filters: [{ propertyName: "lastmodifieddate", operator: "GT", value: String(afterMs) }] },
        ],
        sorts: [{ propertyName: "lastmodifieddate", direction: "ASCENDING" }],
        properties: CONTACT_PROPERTIES,
        limit,
      }),
    getContact: (id: string) =>
      request<HubSpotContact>(
        "GET",
        `/crm/v3/objects/contacts/${encodeURIComponent(id)}?properties=${CONTACT_PROPERTIES.join(",")}`,
      ),
    /** Creates or updates by email, in one call (at most 100). */
    upsertByEmail: (inputs: { email: string; properties: Record<string, string> }[]) =>
      request<{ results: HubSpotContact[] }>("POST", "/crm/v3/objects/contacts/batch/upsert", {
        inputs: inputs.map((i) => ({
          idProperty: "email",
          id: i.email,
          properties: { ...i.properties, email: i.email },
        })),
      }),
    archive: (ids: string[]) =>
      request<void>("POST", "/crm/v3/objects/contacts/batch/archive", { inputs: ids.map((id) => ({ id })) }),
  };
}

export function fieldsOf(c: HubSpotContact): ContactFields | null {
  const email = c.properties.email?.trim().toLowerCase();
  if (!email) return null;
  const name = [c.properties.firstname, c.properties.lastname]
    .filter((x) => x?.trim())
    .join(" ")
    .trim();
  return { email, name: name || null, phone: c.properties.phone?.trim() || null };
}

const remoteOf = (c: HubSpotContact): RemoteContact => {
  const version = c.properties.lastmodifieddate ?? c.updatedAt;
  return { id: c.id, fields: fieldsOf(c), version, modifiedAt: Date.parse(version) || 0 };
};

function propertiesOf({ fields, only }: PushInput): Record<string, string> {
  const props: Record<string, string> = {};
  if (only.includes("name") && fields.name) {
    const [first, ...rest] = fields.name.split(" ");
    props.firstname = first ?? "";
    props.lastname = rest.join(" ");
  }
  if (only.includes("phone") && fields.phone) props.phone = fields.phone;
  return props;
}

/** HubSpot as the contact sync sees it; the pull cursor is the last modification time seen (ms). */
export function hubspotProvider(api: HubSpot): ContactProvider {
  return {
    name: "HubSpot",
    async changed(cursor, limit) {
      const after = Number(cursor ?? 0) || 0;
      // A millisecond earlier, so contacts modified at the same instant are not lost (those taken
      // already are skipped by their hash).
      const page = await api.searchModifiedAfter(Math.max(0, after - 1), limit);
      const records = page.results.map(remoteOf);
      const last = Math.max(after, ...records.map((r) => r.modifiedAt));
      return { records, next: String(last), more: records.length >= limit };
    },
    async get(id) {
      try {
        return remoteOf(await api.getContact(id));
      } catch (error) {
        if (error instanceof ProviderError && error.status === 404) return null;
        throw error;
      }
    },
    async push(inputs) {
      const answer = await api.upsertByEmail(
        inputs.map((i) => ({ email: i.fields.email, properties: propertiesOf(i) })),
      );
      const byEmail = new Map(answer.results.map((r) => [r.properties.email?.toLowerCase() ?? "", r]));
      return inputs.map((i) => {
        const r = byEmail.get(i.fields.email);
        return r ? remoteOf(r) : { error: "HubSpot did not take it" };
      });
    },
    remove: (ids) => api.archive(ids),
  };
}
