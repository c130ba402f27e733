import {
  type ContactFields,
  type ContactProvider,
  ProviderError,
  type PushInput,
  RateLimited,
  type RemoteContact,
} from "@autopilot/sdk";

// Pipedrive's API v2 persons as the sync uses them (list by update_time with cursor paging, read one,
// search by email, create, update, delete), and the provider the SDK's contact sync runs on. A 429
// (the 2-second burst window or the daily token budget) becomes RateLimited with how long to wait.

type Contact = { value: string; primary?: boolean; label?: string };
export type Person = {
  id: number;
  name: string;
  emails?: Contact[] | null;
  phones?: Contact[] | null;
  update_time: string;
  is_deleted?: boolean;
};
type Answer<T> = { success: boolean; data: T; additional_data?: { next_cursor?: string | null } };

export type Pipedrive = ReturnType<typeof pipedrive>;

export function pipedrive(config: { apiToken: string; apiBaseUrl?: string }, fetcher: typeof fetch) {
  const base = (config.apiBaseUrl || "https://api.pipedrive.com").replace(/\/+$/, "");
  async function request<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const res = await fetcher(`${base}${path}`, {
      method,
      headers: {
        "x-api-token": config.apiToken,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 429) {
      // Retry-After when given; else when the burst window (or the day's budget) resets.
      const after = [res.headers.get("retry-after"), res.headers.get("x-ratelimit-reset")]
        .map(Number)
        .find((n) => Number.isFinite(n) && n > 0);
      throw new RateLimited(after ? Math.ceil(after) : 2, "Pipedrive");
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        // keep the text
      }
      throw new ProviderError(res.status, `Pipedrive answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as Answer<T>;
  }
  const person = (id: number | string) => `/api/v2/persons/${encodeURIComponent(String(id))}`;
  return {
    /** Persons updated at or after `since`, oldest first; `cursor` goes on with a page. */
    listUpdatedSince: (since: string | null, limit: number, cursor: string | null) => {
      const q = new URLSearchParams({ sort_by: "update_time", sort_direction: "asc", limit: String(limit) });
      if (since) q.set("updated_since", since);
      if (cursor) q.set("cursor", cursor);
      return request<Person[]>("GET", `/api/v2/persons?${q}`);
    },
    getPerson: async (id: number | string) => (await request<Person>("GET", person(id))).data,
    /** The id of the person with this email, if any. */
    findByEmail: async (email: string) => {
      const q = new URLSearchParams({ term: email, fields: "email", exact_match: "true", limit: "1" });
      const answer = await request<{ items: { item: { id: number } }[] }>(
        "GET",
        `/api/v2/persons/search?${q}`,
      );
      return answer.data.items[0]?.item.id ?? null;
    },
    createPerson: async (body: Record<string, unknown>) =>
      (await request<Person>("POST", "/api/v2/persons", body)).data,
    updatePerson: async (id: number, body: Record<string, unknown>) =>
      (await request<Person>("PATCH", person(id), body)).data,
    deletePerson: (id: number | string) => request<{ id: number }>("DELETE", person(id)),
  };
}

const primaryOf = (list: Contact[] | null | undefined) =>
  (list?.find((c) => c.primary) ?? list?.[0])?.value?.trim() || null;

export function fieldsOf(p: Person): ContactFields | null {
  const email = primaryOf(p.emails)?.toLowerCase();
  if (!email) return null;
  // A person created from a contact without a name is named by its email (Pipedrive needs a name).
  const name = p.name?.trim();
  return { email, name: name && name.toLowerCase() !== email ? name : null, phone: primaryOf(p.phones) };
}

const remoteOf = (p: Person): RemoteContact => ({
  id: String(p.id),
  fields: fieldsOf(p),
  version: p.update_time,
  modifiedAt: Date.parse(p.update_time) || 0,
});

/** `value` made the primary one, the others kept (Pipedrive holds several emails and phones). */
function withPrimary(list: Contact[] | null | undefined, value: string): Contact[] | null {
  const current = list ?? [];
  if (primaryOf(current)?.toLowerCase() === value.toLowerCase()) return null;
  const others = current
    .filter((c) => c.value.toLowerCase() !== value.toLowerCase())
    .map((c) => ({ value: c.value, primary: false, label: c.label ?? "other" }));
  return [{ value, primary: true, label: "work" }, ...others];
}

/** What to write to an existing person (null: nothing differs), or to a new one. */
function bodyFor(i: PushInput<ContactFields>, existing: Person | null): Record<string, unknown> | null {
  const { fields, only } = i;
  if (!existing) {
    return {
      name: fields.name ?? fields.email,
      emails: [{ value: fields.email, primary: true, label: "work" }],
      ...(fields.phone ? { phones: [{ value: fields.phone, primary: true, label: "work" }] } : {}),
    };
  }
  const body: Record<string, unknown> = {};
  if (only.includes("name") && fields.name && fields.name !== existing.name) body.name = fields.name;
  const emails = withPrimary(existing.emails, fields.email);
  if (emails) body.emails = emails;
  const phones = only.includes("phone") && fields.phone ? withPrimary(existing.phones, fields.phone) : null;
  if (phones) body.phones = phones;
  return Object.keys(body).length > 0 ? body : null;
}

/**
 * Pipedrive as the contact sync sees it. The pull cursor is `{since, page}`: the latest update_time
 * taken, and Pipedrive's next_cursor while a page run is under way (update_time is to the second, so
 * `updated_since` is inclusive and those of the last second are read again, then skipped by hash).
 */
export function pipedriveProvider(api: Pipedrive): ContactProvider {
  const live = async (id: number | string) => {
    try {
      const p = await api.getPerson(id);
      return p.is_deleted ? null : p;
    } catch (error) {
      if (error instanceof ProviderError && (error.status === 404 || error.status === 410)) return null;
      throw error;
    }
  };
  return {
    name: "Pipedrive",
    // No batch API: one person at a time, the run's time budget checked between them.
    pushBatch: 1,
    async changed(cursor, limit) {
      const at = cursor ? (JSON.parse(cursor) as { since: string | null; page: string | null }) : null;
      const answer = await api.listUpdatedSince(at?.since ?? null, limit, at?.page ?? null);
      const records = answer.data.map(remoteOf);
      const page = answer.additional_data?.next_cursor ?? null;
      const latest = answer.data.reduce<string | null>(
        (max, p) => (max && max >= p.update_time ? max : p.update_time),
        at?.since ?? null,
      );
      // While pages remain, `since` stays as it was (the pages are of that query).
      const next = page ? { since: at?.since ?? null, page } : { since: latest, page: null };
      return { records, next: JSON.stringify(next), more: page !== null };
    },
    async get(id) {
      const p = await live(id);
      return p ? remoteOf(p) : null;
    },
    async push(inputs) {
      const out: (RemoteContact | { error: string })[] = [];
      for (const i of inputs) {
        try {
          let existing = i.externalId ? await live(i.externalId) : null;
          if (!existing) {
            const found = await api.findByEmail(i.fields.email);
            existing = found ? await live(found) : null;
          }
          const body = bodyFor(i, existing);
          const saved = !body
            ? existing
            : existing
              ? await api.updatePerson(existing.id, body)
              : await api.createPerson(body);
          out.push(saved ? remoteOf(saved) : { error: "Pipedrive did not take it" });
        } catch (error) {
          if (error instanceof RateLimited) throw error;
          if (error instanceof ProviderError && (error.status === 401 || error.status === 403)) throw error;
          out.push({ error: String((error as Error).message) });
        }
      }
      return out;
    },
    async remove(ids) {
      for (const id of ids) {
        await api.deletePerson(id).catch((error: unknown) => {
          // Gone already is what was asked.
          if (!(error instanceof ProviderError && (error.status === 404 || error.status === 410)))
            throw error;
        });
      }
    },
  };
}
