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
  type RemoteRecord,
  type StageMap,
} from "@autopilot/sdk";

// HubSpot's CRM API as the sync uses it: v3 objects (search by last modification, read one, batch
// create, update, upsert by email and archive), v4 associations (a contact's company, a deal's contact
// and company) and the deal pipeline's stages; and the providers the SDK's sync runs on, one per kind
// of record. A 429 becomes RateLimited with how long HubSpot asked to wait.

export type HubSpotObject = {
  id: string;
  properties: Record<string, string | null>;
  updatedAt: string;
  archived?: boolean;
};
type ObjectType = "contacts" | "companies" | "deals";
type Stage = { id: string; label: string; metadata: { probability?: string; isClosed?: string } };

export const CONTACT_PROPERTIES = ["email", "firstname", "lastname", "phone", "lastmodifieddate"];
const COMPANY_PROPERTIES = ["name", "domain", "hs_lastmodifieddate"];
const DEAL_PROPERTIES = [
  "dealname",
  "amount",
  "deal_currency_code",
  "dealstage",
  "pipeline",
  "closedate",
  "hs_lastmodifieddate",
];
const PROPERTIES: Record<ObjectType, string[]> = {
  contacts: CONTACT_PROPERTIES,
  companies: COMPANY_PROPERTIES,
  deals: DEAL_PROPERTIES,
};
const MODIFIED: Record<ObjectType, string> = {
  contacts: "lastmodifieddate",
  companies: "hs_lastmodifieddate",
  deals: "hs_lastmodifieddate",
};
/** HubSpot-defined association type ids (v4) for a new association. */
const ASSOCIATION_TYPE = { "deals:contacts": 3, "deals:companies": 341 } as const;

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
  const objects = (type: ObjectType) => `/crm/v3/objects/${type}`;
  return {
    /** Records modified after `afterMs`, oldest first, one page. */
    searchModifiedAfter: (type: ObjectType, afterMs: number, limit: number) =>
      request<{ results: HubSpotObject[] }>("POST", `${objects(type)}/search`, {
        filterGroups: [
          { filters: [{ propertyName: MODIFIED[type], operator: "GT", value: String(afterMs) }] },
        ],
        sorts: [{ propertyName: MODIFIED[type], direction: "ASCENDING" }],
        properties: PROPERTIES[type],
        limit,
      }),
    getObject: (type: ObjectType, id: string) =>
      request<HubSpotObject>(
        "GET",
        `${objects(type)}/${encodeURIComponent(id)}?properties=${PROPERTIES[type].join(",")}`,
      ),
    /** Creates or updates contacts by email, in one call (at most 100). */
    upsertByEmail: (inputs: { email: string; properties: Record<string, string> }[]) =>
      request<{ results: HubSpotObject[] }>("POST", `${objects("contacts")}/batch/upsert`, {
        inputs: inputs.map((i) => ({
          idProperty: "email",
          id: i.email,
          properties: { ...i.properties, email: i.email },
        })),
      }),
    /** Creates records (at most 100), a deal with its contact and company associated. */
    create: (
      type: ObjectType,
      inputs: {
        properties: Record<string, string>;
        associations?: { to: "contacts" | "companies"; id: string }[];
      }[],
    ) =>
      request<{ results: HubSpotObject[] }>("POST", `${objects(type)}/batch/create`, {
        inputs: inputs.map((i) => ({
          properties: i.properties,
          associations: (i.associations ?? []).map((a) => ({
            to: { id: a.id },
            types: [
              {
                associationCategory: "HUBSPOT_DEFINED",
                associationTypeId: ASSOCIATION_TYPE[`deals:${a.to}`],
              },
            ],
          })),
        })),
      }),
    update: (type: ObjectType, inputs: { id: string; properties: Record<string, string> }[]) =>
      request<{ results: HubSpotObject[] }>("POST", `${objects(type)}/batch/update`, { inputs }),
    /** Records by id with the type's properties (archived ones are left out). */
    read: async (type: ObjectType, ids: string[]) =>
      ids.length === 0
        ? []
        : (
            await request<{ results: HubSpotObject[] }>("POST", `${objects(type)}/batch/read`, {
              properties: PROPERTIES[type],
              inputs: ids.map((id) => ({ id })),
            })
          ).results,
    archive: (type: ObjectType, ids: string[]) =>
      request<void>("POST", `${objects(type)}/batch/archive`, { inputs: ids.map((id) => ({ id })) }),
    /** Each record's associated records of `to` (lowest id first). */
    async associated(from: ObjectType, to: ObjectType, ids: string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return out;
      const answer = await request<{
        results: { from: { id: string }; to: { toObjectId: number | string }[] }[];
      }>("POST", `/crm/v4/associations/${from}/${to}/batch/read`, { inputs: ids.map((id) => ({ id })) });
      for (const r of answer.results)
        out.set(
          String(r.from.id),
          r.to.map((t) => String(t.toObjectId)).sort((a, b) => Number(a) - Number(b)),
        );
      return out;
    },
    associate: (from: ObjectType, to: ObjectType, pairs: [string, string][]) =>
      pairs.length === 0
        ? Promise.resolve()
        : request<unknown>("POST", `/crm/v4/associations/${from}/${to}/batch/associate/default`, {
            inputs: pairs.map(([a, b]) => ({ from: { id: a }, to: { id: b } })),
          }),
    dissociate: (from: ObjectType, to: ObjectType, pairs: [string, string][]) =>
      pairs.length === 0
        ? Promise.resolve()
        : request<void>("POST", `/crm/v4/associations/${from}/${to}/batch/archive`, {
            inputs: pairs.map(([a, b]) => ({ from: { id: a }, to: [{ id: b }] })),
          }),
    /** The deal pipelines and their stages. */
    dealPipelines: () =>
      request<{ results: { id: string; label: string; stages: Stage[] }[] }>(
        "GET",
        "/crm/v3/pipelines/deals",
      ),
  };
}

const modifiedOf = (type: ObjectType, o: HubSpotObject) => o.properties[MODIFIED[type]] ?? o.updatedAt;

/** One page of a type's records changed since the cursor (the last modification time seen, ms). */
async function changedPage(api: HubSpot, type: ObjectType, cursor: string | null, limit: number) {
  const after = Number(cursor ?? 0) || 0;
  // A millisecond earlier, so records modified at the same instant are not lost (those taken already
  // are skipped by their hash).
  const page = await api.searchModifiedAfter(type, Math.max(0, after - 1), limit);
  const last = Math.max(after, ...page.results.map((o) => Date.parse(modifiedOf(type, o)) || 0));
  return { objects: page.results, next: String(last), more: page.results.length >= limit };
}
async function getOne(api: HubSpot, type: ObjectType, id: string): Promise<HubSpotObject | null> {
  try {
    return await api.getObject(type, id);
  } catch (error) {
    if (error instanceof ProviderError && error.status === 404) return null;
    throw error;
  }
}
/** A type's `changed` and `get`, each page of records made the sync's by `toRemote` (at once, for its associations). */
function reading<F extends ContactFields | CompanyFields | DealFields>(
  api: HubSpot,
  type: ObjectType,
  toRemote: (list: HubSpotObject[]) => Promise<RemoteRecord<F>[]>,
): Pick<RecordProvider<F>, "changed" | "get"> {
  return {
    async changed(cursor, limit) {
      const page = await changedPage(api, type, cursor, limit);
      return { records: await toRemote(page.objects), next: page.next, more: page.more };
    },
    async get(id) {
      const o = await getOne(api, type, id);
      return o ? ((await toRemote([o]))[0] ?? null) : null;
    },
  };
}

const remote = <F extends ContactFields | CompanyFields | DealFields>(
  type: ObjectType,
  o: HubSpotObject,
  fields: F | null,
): RemoteRecord<F> => {
  const version = modifiedOf(type, o);
  return { id: o.id, fields, version, modifiedAt: Date.parse(version) || 0 };
};

/**
 * Points each record at one record of `to` (the contact's company, the deal's contact): the others
 * of that type are let go. Only where the sync has one to point at; none here leaves HubSpot's as it is.
 */
async function pointAt(
  api: HubSpot,
  from: ObjectType,
  to: ObjectType,
  wanted: { id: string; target: string | null | undefined }[],
  current: Map<string, string[]>,
) {
  const add: [string, string][] = [];
  const drop: [string, string][] = [];
  for (const { id, target } of wanted) {
    if (!target) continue;
    const now = current.get(id) ?? [];
    if (!now.includes(target)) add.push([id, target]);
    for (const other of now) if (other !== target) drop.push([id, other]);
    current.set(id, [target]);
  }
  await api.dissociate(from, to, drop);
  await api.associate(from, to, add);
}

// --- contacts ----------------------------------------------------------------------------------

export function fieldsOf(c: HubSpotObject, company: string | null = null): ContactFields | null {
  const email = c.properties.email?.trim().toLowerCase();
  if (!email) return null;
  const name = [c.properties.firstname, c.properties.lastname]
    .filter((x) => x?.trim())
    .join(" ")
    .trim();
  return { email, name: name || null, phone: c.properties.phone?.trim() || null, company };
}

function contactProperties({ fields, only }: PushInput<ContactFields>): Record<string, string> {
  const props: Record<string, string> = {};
  if (only.includes("name") && fields.name) {
    const [first, ...rest] = fields.name.split(" ");
    props.firstname = first ?? "";
    props.lastname = rest.join(" ");
  }
  if (only.includes("phone") && fields.phone) props.phone = fields.phone;
  return props;
}

/** HubSpot's contacts, each with its company (the lowest-id associated one). */
export function hubspotProvider(api: HubSpot): ContactProvider {
  const withCompany = async (list: HubSpotObject[]) => {
    const companies = await api.associated(
      "contacts",
      "companies",
      list.map((c) => c.id),
    );
    return list.map((c) => remote("contacts", c, fieldsOf(c, companies.get(c.id)?.[0] ?? null)));
  };
  return {
    name: "HubSpot",
    ...reading(api, "contacts", withCompany),
    async push(inputs) {
      const answer = await api.upsertByEmail(
        inputs.map((i) => ({ email: i.fields.email, properties: contactProperties(i) })),
      );
      const byEmail = new Map(answer.results.map((r) => [r.properties.email?.toLowerCase() ?? "", r]));
      const saved = inputs.map((i) => ({ input: i, record: byEmail.get(i.fields.email) }));
      const ids = saved.flatMap((s) => (s.record ? [s.record.id] : []));
      const companies = await api.associated("contacts", "companies", ids);
      await pointAt(
        api,
        "contacts",
        "companies",
        saved.flatMap(({ input, record }) =>
          record && input.only.includes("company") ? [{ id: record.id, target: input.fields.company }] : [],
        ),
        companies,
      );
      return saved.map(({ record }) =>
        record
          ? remote("contacts", record, fieldsOf(record, companies.get(record.id)?.[0] ?? null))
          : { error: "HubSpot did not take it" },
      );
    },
    remove: (ids) => api.archive("contacts", ids),
  };
}

// --- companies ---------------------------------------------------------------------------------

const companyFields = (c: HubSpotObject): CompanyFields | null => {
  const domain = c.properties.domain?.trim() || null;
  const name = c.properties.name?.trim() || domain;
  return name ? { name, domain } : null;
};

/** HubSpot's companies: a name and a domain. */
export function hubspotCompanies(api: HubSpot): CompanyProvider {
  return {
    name: "HubSpot",
    ...reading(api, "companies", async (list) => list.map((c) => remote("companies", c, companyFields(c)))),
    async push(inputs) {
      const written = await writeEach(api, "companies", inputs, (i) => {
        const p: Record<string, string> = {};
        if (!i.externalId || i.only.includes("name")) p.name = i.fields.name;
        if ((!i.externalId || i.only.includes("domain")) && i.fields.domain) p.domain = i.fields.domain;
        return p;
      });
      return written.map((o) => ("error" in o ? o : remote("companies", o, companyFields(o))));
    },
    remove: (ids) => api.archive("companies", ids),
  };
}

/**
 * Creates the new ones and updates the linked ones (two batch calls), then reads them back whole
 * (a batch answer need not carry every property); each input's record as HubSpot has it, in order.
 */
async function writeEach<F extends CompanyFields | DealFields>(
  api: HubSpot,
  type: "companies" | "deals",
  inputs: PushInput<F>[],
  properties: (i: PushInput<F>) => Record<string, string>,
  associations?: (i: PushInput<F>) => { to: "contacts" | "companies"; id: string }[],
): Promise<(HubSpotObject | { error: string })[]> {
  const creates = inputs.filter((i) => !i.externalId);
  const updates = inputs.filter((i) => i.externalId);
  const created = creates.length
    ? (
        await api.create(
          type,
          creates.map((i) => ({ properties: properties(i), associations: associations?.(i) ?? [] })),
        )
      ).results
    : [];
  if (updates.length)
    await api.update(
      type,
      updates.map((i) => ({ id: String(i.externalId), properties: properties(i) })),
    );
  let next = 0;
  const ids = inputs.map((i) => i.externalId ?? created[next++]?.id ?? null);
  const now = new Map(
    (
      await api.read(
        type,
        ids.filter((id) => id !== null),
      )
    ).map((o) => [o.id, o]),
  );
  return ids.map((id) => (id && now.get(id)) || { error: "HubSpot did not take it" });
}

// --- deals -------------------------------------------------------------------------------------

/** HubSpot's deals in its first pipeline, each stage told by our name (the map), with contact and company. */
export function hubspotDeals(api: HubSpot, stageMap: StageMap = []): DealProvider {
  let stages: Promise<{ pipeline: string; list: Stage[] }> | null = null;
  const pipeline = () => {
    stages ??= api.dealPipelines().then((p) => {
      const first = p.results[0];
      if (!first) throw new ProviderError(404, "HubSpot has no deal pipeline");
      return { pipeline: first.id, list: first.stages };
    });
    return stages;
  };
  const statusOf = (s: Stage | undefined): DealFields["status"] =>
    s?.metadata.isClosed === "true" ? (Number(s.metadata.probability) >= 1 ? "won" : "lost") : "open";
  const theirsFor = new Map(stageMap.map(([ours, theirs]) => [ours.toLowerCase(), theirs]));
  const oursFor = new Map(stageMap.map(([ours, theirs]) => [theirs.toLowerCase(), ours]));

  async function toRemote(o: HubSpotObject, links: { contacts: string[]; companies: string[] }) {
    const { list } = await pipeline();
    const stage = list.find((s) => s.id === o.properties.dealstage);
    const amount = o.properties.amount ? Number(o.properties.amount) : null;
    const title = o.properties.dealname?.trim();
    const fields: DealFields | null = title
      ? {
          title,
          amount: amount !== null && Number.isFinite(amount) ? amount : null,
          currency: o.properties.deal_currency_code || null,
          stage: stage ? (oursFor.get(stage.label.toLowerCase()) ?? stage.label) : null,
          status: statusOf(stage),
          closeDate: o.properties.closedate?.slice(0, 10) || null,
          contact: links.contacts[0] ?? null,
          company: links.companies[0] ?? null,
        }
      : null;
    return remote("deals", o, fields);
  }

  const withLinks = async (list: HubSpotObject[]) => {
    const ids = list.map((d) => d.id);
    const contacts = await api.associated("deals", "contacts", ids);
    const companies = await api.associated("deals", "companies", ids);
    return Promise.all(
      list.map((d) =>
        toRemote(d, { contacts: contacts.get(d.id) ?? [], companies: companies.get(d.id) ?? [] }),
      ),
    );
  };

  /** HubSpot's stage for ours: by the map or the same name, else by status (null: where it is). */
  async function stageFor(f: DealFields, linked: boolean): Promise<string | null> {
    const { list } = await pipeline();
    const wanted = f.stage ? (theirsFor.get(f.stage.toLowerCase()) ?? f.stage) : null;
    const named = wanted
      ? list.find((s) => s.label.toLowerCase() === wanted.toLowerCase() || s.id === wanted)
      : undefined;
    if (named && statusOf(named) === f.status) return named.id;
    if (f.status !== "open") return list.find((s) => statusOf(s) === f.status)?.id ?? null;
    return linked ? null : (list.find((s) => statusOf(s) === "open")?.id ?? null);
  }

  return {
    name: "HubSpot",
    ...reading(api, "deals", withLinks),
    async push(inputs) {
      const { pipeline: pipelineId } = await pipeline();
      const props = new Map<PushInput<DealFields>, Record<string, string>>();
      for (const i of inputs) {
        const f = i.fields;
        const send = (field: string) => !i.externalId || i.only.includes(field);
        const p: Record<string, string> = {};
        if (send("title")) p.dealname = f.title;
        if (send("amount") && f.amount !== null) p.amount = String(f.amount);
        if (send("currency") && f.currency) p.deal_currency_code = f.currency;
        if (send("closeDate") && f.closeDate) p.closedate = `${f.closeDate}T00:00:00.000Z`;
        if (send("stage") || send("status")) {
          const stage = await stageFor(f, Boolean(i.externalId));
          if (stage) p.dealstage = stage;
        }
        if (!i.externalId) p.pipeline = pipelineId;
        props.set(i, p);
      }
      const written = await writeEach(
        api,
        "deals",
        inputs,
        (i) => props.get(i) ?? {},
        (i) => [
          ...(i.fields.contact ? [{ to: "contacts" as const, id: i.fields.contact }] : []),
          ...(i.fields.company ? [{ to: "companies" as const, id: i.fields.company }] : []),
        ],
      );
      // The linked ones' contact and company pointed at ours where the rules send them.
      const ids = written.flatMap((w) => ("error" in w ? [] : [w.id]));
      const contacts = await api.associated("deals", "contacts", ids);
      const companies = await api.associated("deals", "companies", ids);
      const wants = (field: "contact" | "company") =>
        inputs.flatMap((i) =>
          i.externalId && i.only.includes(field) ? [{ id: i.externalId, target: i.fields[field] }] : [],
        );
      await pointAt(api, "deals", "contacts", wants("contact"), contacts);
      await pointAt(api, "deals", "companies", wants("company"), companies);
      return Promise.all(
        written.map((w) =>
          "error" in w
            ? w
            : toRemote(w, { contacts: contacts.get(w.id) ?? [], companies: companies.get(w.id) ?? [] }),
        ),
      );
    },
    remove: (ids) => api.archive("deals", ids),
  };
}
