// HubSpot's CRM v3 contacts API as the sync uses it: search by last modification (cursor paging),
// batch upsert by email, batch archive, read one. A 429 becomes RateLimited with how long to wait.

export type RemoteContact = {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
  archived?: boolean;
};

export const CONTACT_PROPERTIES = ["email", "firstname", "lastname", "phone", "lastmodifieddate"];

export class RateLimited extends Error {
  constructor(readonly afterSeconds: number) {
    super(`HubSpot asked to wait ${afterSeconds} s`);
  }
}

export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

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
      throw new RateLimited(Number.isFinite(after) && after > 0 ? Math.ceil(after) : 10);
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
      throw new HubSpotError(res.status, `HubSpot answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
  return {
    /** Contacts modified after `afterMs`, oldest first, one page. */
    searchModifiedAfter: (afterMs: number, limit: number, after?: string) =>
      request<{ results: RemoteContact[]; paging?: { next?: { after: string } } }>(
        "POST",
        "/crm/v3/objects/contacts/search",
        {
          filterGroups: [
            { filters: [{ propertyName: "lastmodifieddate", operator: "GT", value: String(afterMs) }] },
          ],
          sorts: [{ propertyName: "lastmodifieddate", direction: "ASCENDING" }],
          properties: CONTACT_PROPERTIES,
          limit,
          ...(after ? { after } : {}),
        },
      ),
    getContact: (id: string) =>
      request<RemoteContact>(
        "GET",
        `/crm/v3/objects/contacts/${encodeURIComponent(id)}?properties=${CONTACT_PROPERTIES.join(",")}`,
      ),
    /** Creates or updates by email, in one call (at most 100). */
    upsertByEmail: (inputs: { email: string; properties: Record<string, string> }[]) =>
      request<{ results: RemoteContact[] }>("POST", "/crm/v3/objects/contacts/batch/upsert", {
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
