import {
  type CompanyFields,
  type CompanyProvider,
  type ContactFields,
  type ContactProvider,
  type DealFields,
  type DealProvider,
  ProviderError,
  type PushInput,
  RateLimited,
  type RecordProvider,
  type RemoteContact,
  type RemoteRecord,
  type StageMap,
} from "@autopilot/sdk";

// Pipedrive's API v2 persons, organizations and deals as the sync uses them (list by update_time with
// cursor paging, read one, search persons by email, create, update, delete; the pipeline's stages),
// and the providers the SDK's sync runs on. A 429 (the 2-second burst window or the daily token
// budget) becomes RateLimited with how long to wait.

type Contact = { value: string; primary?: boolean; label?: string };
export type Person = {
  id: number;
  name: string;
  emails?: Contact[] | null;
  phones?: Contact[] | null;
  update_time: string;
  is_deleted?: boolean;
  org_id?: number | null;
};
export type Organization = { id: number; name: string; update_time: string; is_deleted?: boolean };
export type Deal = {
  id: number;
  title: string;
  value: number | null;
  currency: string | null;
  stage_id: number;
  status: "open" | "won" | "lost" | "deleted";
  expected_close_date: string | null;
  person_id: number | null;
  org_id: number | null;
  update_time: string;
  is_deleted?: boolean;
};
type Stage = { id: number; name: string; order_nr: number; pipeline_id: number };
type Entity = "persons" | "organizations" | "deals";
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
  const one = (entity: Entity, id: number | string) => `/api/v2/${entity}/${encodeURIComponent(String(id))}`;
  return {
    /** Records updated at or after `since`, oldest first; `cursor` goes on with a page. */
    listUpdatedSince: <T = Person>(
      since: string | null,
      limit: number,
      cursor: string | null,
      entity: Entity = "persons",
    ) => {
      const q = new URLSearchParams({ sort_by: "update_time", sort_direction: "asc", limit: String(limit) });
      if (since) q.set("updated_since", since);
      if (cursor) q.set("cursor", cursor);
      return request<T[]>("GET", `/api/v2/${entity}?${q}`);
    },
    getPerson: async (id: number | string) => (await request<Person>("GET", person(id))).data,
    getRecord: async <T>(entity: Entity, id: number | string) =>
      (await request<T>("GET", one(entity, id))).data,
    createRecord: async <T>(entity: Entity, body: Record<string, unknown>) =>
      (await request<T>("POST", `/api/v2/${entity}`, body)).data,
    updateRecord: async <T>(entity: Entity, id: number, body: Record<string, unknown>) =>
      (await request<T>("PATCH", one(entity, id), body)).data,
    deleteRecord: (entity: Entity, id: number | string) => request<{ id: number }>("DELETE", one(entity, id)),
    stages: async () => (await request<Stage[]>("GET", "/api/v2/stages")).data,
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
  return {
    email,
    name: name && name.toLowerCase() !== email ? name : null,
    phone: primaryOf(p.phones),
    company: p.org_id ? String(p.org_id) : null,
  };
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
      ...(fields.company ? { org_id: Number(fields.company) } : {}),
    };
  }
  const body: Record<string, unknown> = {};
  if (only.includes("name") && fields.name && fields.name !== existing.name) body.name = fields.name;
  const emails = withPrimary(existing.emails, fields.email);
  if (emails) body.emails = emails;
  const phones = only.includes("phone") && fields.phone ? withPrimary(existing.phones, fields.phone) : null;
  if (phones) body.phones = phones;
  if (only.includes("company") && fields.company && String(existing.org_id ?? "") !== fields.company)
    body.org_id = Number(fields.company);
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
      const page = await changedPage<Person>(api, "persons", cursor, limit);
      return { ...page, records: page.rows.map(remoteOf) };
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

/**
 * One page of an entity's records changed since the cursor `{since, page}`: the latest update_time
 * taken, and Pipedrive's next_cursor while a page run is under way (update_time is to the second, so
 * `updated_since` is inclusive and those of the last second are read again, then skipped by hash).
 */
async function changedPage<T extends { update_time: string }>(
  api: Pipedrive,
  entity: Entity,
  cursor: string | null,
  limit: number,
) {
  const at = cursor ? (JSON.parse(cursor) as { since: string | null; page: string | null }) : null;
  const answer = await api.listUpdatedSince<T>(at?.since ?? null, limit, at?.page ?? null, entity);
  const page = answer.additional_data?.next_cursor ?? null;
  const latest = answer.data.reduce<string | null>(
    (max, p) => (max && max >= p.update_time ? max : p.update_time),
    at?.since ?? null,
  );
  // While pages remain, `since` stays as it was (the pages are of that query).
  const next = page ? { since: at?.since ?? null, page } : { since: latest, page: null };
  return { rows: answer.data, next: JSON.stringify(next), more: page !== null };
}

const gone = (error: unknown) =>
  error instanceof ProviderError && (error.status === 404 || error.status === 410);
const stampOf = <T extends { id: number; update_time: string }, F extends CompanyFields | DealFields>(
  r: T,
  fields: F | null,
): RemoteRecord<F> => ({
  id: String(r.id),
  fields,
  version: r.update_time,
  modifiedAt: Date.parse(r.update_time) || 0,
});

/**
 * A provider over one entity without batch writes: pages, reads, and writes one record at a time
 * (the run's time budget checked between them); `bodyFor` says what to send (null: nothing differs).
 */
function recordProvider<
  T extends { id: number; update_time: string; is_deleted?: boolean },
  F extends CompanyFields | DealFields,
>(
  api: Pipedrive,
  entity: "organizations" | "deals",
  fieldsOf: (r: T) => F | null | Promise<F | null>,
  bodyFor: (i: PushInput<F>, existing: T | null) => Promise<Record<string, unknown> | null>,
): RecordProvider<F> {
  const live = async (id: number | string) => {
    try {
      const r = await api.getRecord<T>(entity, id);
      return r.is_deleted ? null : r;
    } catch (error) {
      if (gone(error)) return null;
      throw error;
    }
  };
  const remote = async (r: T) => stampOf(r, await fieldsOf(r));
  return {
    name: "Pipedrive",
    pushBatch: 1,
    async changed(cursor, limit) {
      const page = await changedPage<T>(api, entity, cursor, limit);
      return { records: await Promise.all(page.rows.map(remote)), next: page.next, more: page.more };
    },
    async get(id) {
      const r = await live(id);
      return r ? remote(r) : null;
    },
    async push(inputs) {
      const out: (RemoteRecord<F> | { error: string })[] = [];
      for (const i of inputs) {
        try {
          const existing = i.externalId ? await live(i.externalId) : null;
          const body = await bodyFor(i, existing);
          const saved = !body
            ? existing
            : existing
              ? await api.updateRecord<T>(entity, existing.id, body)
              : await api.createRecord<T>(entity, body);
          out.push(saved ? await remote(saved) : { error: "Pipedrive did not take it" });
        } catch (error) {
          if (error instanceof RateLimited) throw error;
          if (error instanceof ProviderError && (error.status === 401 || error.status === 403)) throw error;
          out.push({ error: String((error as Error).message) });
        }
      }
      return out;
    },
    async remove(ids) {
      for (const id of ids)
        await api.deleteRecord(entity, id).catch((error: unknown) => {
          // Gone already is what was asked.
          if (!gone(error)) throw error;
        });
    },
  };
}

/** Pipedrive's organizations: a name (Pipedrive keeps no domain; ours stays ours). */
export function pipedriveOrganizations(api: Pipedrive): CompanyProvider {
  return recordProvider<Organization, CompanyFields>(
    api,
    "organizations",
    (o) => (o.name?.trim() ? { name: o.name.trim(), domain: null } : null),
    async (i, existing) => {
      if (!existing) return { name: i.fields.name };
      return i.only.includes("name") && i.fields.name !== existing.name ? { name: i.fields.name } : null;
    },
  );
}

/** Pipedrive's deals: its stages told by our names (the map), won and lost by their status, person and organization. */
export function pipedriveDeals(api: Pipedrive, stageMap: StageMap = []): DealProvider {
  let stages: Promise<Stage[]> | null = null;
  const list = () => {
    stages ??= api.stages().then((all) => {
      // The first pipeline's, in order (the sync keeps to one pipeline).
      const first = Math.min(...all.map((s) => s.pipeline_id));
      return all.filter((s) => s.pipeline_id === first).sort((a, b) => a.order_nr - b.order_nr);
    });
    return stages;
  };
  const theirsFor = new Map(stageMap.map(([ours, theirs]) => [ours.toLowerCase(), theirs.toLowerCase()]));
  const oursFor = new Map(stageMap.map(([ours, theirs]) => [theirs.toLowerCase(), ours]));
  const fieldsOf = async (d: Deal): Promise<DealFields | null> => {
    const title = d.title?.trim();
    if (!title) return null;
    const stage = (await list()).find((s) => s.id === d.stage_id);
    return {
      title,
      amount: d.value ?? null,
      currency: d.currency ?? null,
      stage: stage ? (oursFor.get(stage.name.toLowerCase()) ?? stage.name) : null,
      status: d.status === "won" || d.status === "lost" ? d.status : "open",
      closeDate: d.expected_close_date ?? null,
      contact: d.person_id ? String(d.person_id) : null,
      company: d.org_id ? String(d.org_id) : null,
    };
  };
  return recordProvider<Deal, DealFields>(api, "deals", fieldsOf, async (i, existing) => {
    const f = i.fields;
    const send = (field: string) => !existing || i.only.includes(field);
    const stages = await list();
    const wanted = f.stage ? (theirsFor.get(f.stage.toLowerCase()) ?? f.stage.toLowerCase()) : null;
    const stage = wanted ? stages.find((s) => s.name.toLowerCase() === wanted) : undefined;
    const body: Record<string, unknown> = {};
    const set = (key: keyof Deal, value: unknown, field: string) => {
      if (send(field) && value !== null && value !== undefined && (!existing || existing[key] !== value))
        body[key] = value;
    };
    set("title", f.title, "title");
    set("value", f.amount, "amount");
    set("currency", f.currency?.toUpperCase() ?? null, "currency");
    set("status", f.status, "status");
    // A stage Pipedrive lacks (our Won, Lost) leaves the deal where it is; a new one starts at the first.
    set("stage_id", stage?.id ?? (existing ? null : (stages[0]?.id ?? null)), "stage");
    set("expected_close_date", f.closeDate, "closeDate");
    set("person_id", f.contact ? Number(f.contact) : null, "contact");
    set("org_id", f.company ? Number(f.company) : null, "company");
    return Object.keys(body).length > 0 ? body : null;
  });
}
