import { type FakeAnswer, type FakeRequest, jsonOf, startFakeServer } from "./server.js";

// HubSpot's CRM API as the sync plugin uses it, for contacts, companies and deals: v3 objects (search
// by last modification, sorted, `after` paging; read one; batch create, update and archive; contacts'
// batch upsert by email), v4 associations (batch read, associate default, archive) and the deals
// pipeline (v3 pipelines). Bearer private-app tokens (`pat-…`), each its own portal; 429 with
// HubSpot's body and Retry-After while rate limited. The `_control` routes play a person working in
// HubSpot: add, change, delete, list, associate; `rateLimitNext`.

export const OBJECT_TYPES = ["contacts", "companies", "deals"] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export type HubObject = {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
};

/** Contacts keep their modification time in `lastmodifieddate`, the other objects in `hs_lastmodifieddate`. */
export const modifiedProperty = (type: ObjectType) =>
  type === "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate";

/** HubSpot's default deal pipeline, as a new portal has it. */
export const DEAL_PIPELINE = {
  id: "default",
  label: "Sales Pipeline",
  displayOrder: 0,
  stages: [
    ["appointmentscheduled", "Appointment Scheduled", "0.2", "false"],
    ["qualifiedtobuy", "Qualified To Buy", "0.4", "false"],
    ["presentationscheduled", "Presentation Scheduled", "0.6", "false"],
    ["decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"],
    ["contractsent", "Contract Sent", "0.9", "false"],
    ["closedwon", "Closed Won", "1.0", "true"],
    ["closedlost", "Closed Lost", "0.0", "true"],
  ].map(([id, label, probability, isClosed], displayOrder) => ({
    id,
    label,
    displayOrder,
    metadata: { probability, isClosed },
    archived: false,
  })),
};

/** HubSpot-defined association type ids (v4). */
const ASSOCIATION_TYPE: Record<string, number> = {
  "contacts:companies": 279,
  "companies:contacts": 280,
  "deals:contacts": 3,
  "contacts:deals": 4,
  "deals:companies": 341,
  "companies:deals": 342,
};

export class Portal {
  readonly objects: Record<ObjectType, Map<string, HubObject>> = {
    contacts: new Map(),
    companies: new Map(),
    deals: new Map(),
  };
  /** "fromType:fromId>toType:toId", both directions kept. */
  readonly associations = new Set<string>();
  rateLimitNext = 0;
  calls = 0;
  private next = 100;
  private clock = 0;

  get contacts() {
    return this.objects.contacts;
  }

  /** A modification time after every earlier one (HubSpot's are milliseconds). */
  private tick(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  writeObject(type: ObjectType, id: string | null, properties: Record<string, string | null>): HubObject {
    const at = this.tick();
    const map = this.objects[type];
    const existing = id ? map.get(id) : undefined;
    const object: HubObject = existing ?? {
      id: String(++this.next),
      properties: {},
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    object.properties = {
      ...object.properties,
      ...properties,
      [modifiedProperty(type)]: at,
      hs_object_id: object.id,
      ...(type === "deals" && !object.properties.pipeline ? { pipeline: "default" } : {}),
    };
    object.updatedAt = at;
    map.set(object.id, object);
    return object;
  }

  /** A contact written as someone in HubSpot would. */
  write(id: string | null, properties: Record<string, string | null>): HubObject {
    return this.writeObject("contacts", id, properties);
  }

  byEmail(email: string): HubObject | undefined {
    return [...this.contacts.values()].find(
      (c) => !c.archived && c.properties.email?.toLowerCase() === email.toLowerCase(),
    );
  }

  associated(from: ObjectType, id: string, to: ObjectType): string[] {
    const prefix = `${from}:${id}>${to}:`;
    return [...this.associations].filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
  }
  /** Associating changes neither side's modification time (as in HubSpot). */
  associate(from: ObjectType, id: string, to: ObjectType, toId: string) {
    this.associations.add(`${from}:${id}>${to}:${toId}`);
    this.associations.add(`${to}:${toId}>${from}:${id}`);
  }
  dissociate(from: ObjectType, id: string, to: ObjectType, toId: string) {
    this.associations.delete(`${from}:${id}>${to}:${toId}`);
    this.associations.delete(`${to}:${toId}>${from}:${id}`);
  }
}

const view = (o: HubObject) => ({
  id: o.id,
  properties: o.properties,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  archived: o.archived,
});
const error = (status: number, message: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
  status,
  json: { status: "error", message, correlationId: crypto.randomUUID(), ...extra },
});
const invalid = (message: string) => error(400, message, { category: "VALIDATION_ERROR" });
const isType = (t: string | undefined): t is ObjectType => OBJECT_TYPES.includes(t as ObjectType);

type Filter = { propertyName: string; operator: string; value: string };

export function createFakeHubSpot() {
  const portals = new Map<string, Portal>();
  const portal = (token: string) => {
    let p = portals.get(token);
    if (!p) {
      p = new Portal();
      portals.set(token, p);
    }
    return p;
  };

  function control(
    p: Portal,
    method: string,
    path: string,
    body: Record<string, unknown> | undefined,
  ): FakeAnswer {
    if (method === "POST" && path === "/_control/rate-limit") {
      p.rateLimitNext = Number(body?.next ?? 0);
      return { status: 200, json: { ok: true } };
    }
    if (method === "GET" && path === "/_control/calls") return { status: 200, json: { calls: p.calls } };
    // POST /_control/associations {from: "deals", id, to: "contacts", toId}
    if (method === "POST" && path === "/_control/associations") {
      const [from, to] = [String(body?.from), String(body?.to)];
      if (!isType(from) || !isType(to)) return invalid("from and to are object types");
      p.associate(from, String(body?.id), to, String(body?.toId));
      return { status: 200, json: { ok: true } };
    }
    const m = /^\/_control\/(contacts|companies|deals)(?:\/(\d+))?$/.exec(path);
    const type = m?.[1] as ObjectType | undefined;
    if (!m || !type) return error(404, "no such control");
    const map = p.objects[type];
    if (!m[2]) {
      if (method === "GET")
        return {
          status: 200,
          json: [...map.values()].map((o) => ({
            ...view(o),
            associations: Object.fromEntries(OBJECT_TYPES.map((t) => [t, p.associated(type, o.id, t)])),
          })),
        };
      if (method === "POST")
        return { status: 201, json: view(p.writeObject(type, null, (body ?? {}) as Record<string, string>)) };
    }
    const o = map.get(m[2] ?? "");
    if (!o) return error(404, `no such ${type}`);
    if (method === "PATCH")
      return { status: 200, json: view(p.writeObject(type, o.id, (body ?? {}) as Record<string, string>)) };
    if (method === "DELETE") {
      o.archived = true;
      p.writeObject(type, o.id, {});
      return { status: 204 };
    }
    return error(404, "no such control");
  }

  function search(p: Portal, type: ObjectType, body: Record<string, unknown> | undefined): FakeAnswer {
    const filter = (body?.filterGroups as { filters: Filter[] }[] | undefined)?.[0]?.filters?.[0];
    if (filter && filter.propertyName !== modifiedProperty(type))
      return invalid(`There was a problem with the request: unknown property ${filter.propertyName}`);
    const after = Number(filter?.value ?? 0);
    const limit = Math.min(200, Number(body?.limit ?? 10));
    const offset = Number(body?.after ?? 0);
    const modified = (o: HubObject) => Date.parse(o.properties[modifiedProperty(type)] ?? o.updatedAt);
    const all = [...p.objects[type].values()]
      .filter((o) => !o.archived && modified(o) > after)
      .sort((a, b) => modified(a) - modified(b) || Number(a.id) - Number(b.id));
    const results = all.slice(offset, offset + limit).map(view);
    return {
      status: 200,
      json: {
        total: all.length,
        results,
        ...(offset + limit < all.length ? { paging: { next: { after: String(offset + limit) } } } : {}),
      },
    };
  }

  type Input = { id?: string; idProperty?: string; properties?: Record<string, string> };
  type AssociationInput = { to?: { id?: string }; types?: { associationTypeId?: number }[] };

  function batch(
    p: Portal,
    type: ObjectType,
    op: string,
    body: Record<string, unknown> | undefined,
  ): FakeAnswer {
    const inputs = (body?.inputs ?? []) as (Input & { associations?: AssociationInput[] })[];
    if (inputs.length === 0 || inputs.length > 100) return invalid("between 1 and 100 inputs");
    if (op === "archive") {
      for (const { id } of inputs) {
        const o = p.objects[type].get(String(id));
        if (o) o.archived = true;
      }
      return { status: 204 };
    }
    if (op === "read") {
      const results = inputs.map((i) => p.objects[type].get(String(i.id))).filter((o) => o && !o.archived);
      return { status: 200, json: { status: "COMPLETE", results: results.map((o) => view(o as HubObject)) } };
    }
    const results = [];
    for (const input of inputs) {
      if (op === "upsert") {
        if (type !== "contacts" || input.idProperty !== "email" || !input.id?.includes("@"))
          return invalid("Property values were not valid: email");
        const found = p.byEmail(input.id);
        results.push(
          view(
            p.writeObject(type, found?.id ?? null, { ...input.properties, email: input.id.toLowerCase() }),
          ),
        );
      } else if (op === "create") {
        if (type === "deals" && !input.properties?.dealname)
          return invalid("Property values were not valid: dealname");
        if (type === "companies" && !input.properties?.name && !input.properties?.domain)
          return invalid("Property values were not valid: name");
        const stage = input.properties?.dealstage;
        if (type === "deals" && stage && !DEAL_PIPELINE.stages.some((s) => s.id === stage))
          return invalid(`Property values were not valid: dealstage ${stage}`);
        const o = p.writeObject(type, null, input.properties ?? {});
        for (const a of input.associations ?? []) {
          const typeId = a.types?.[0]?.associationTypeId;
          const to = Object.entries(ASSOCIATION_TYPE).find(
            ([k, v]) => v === typeId && k.startsWith(`${type}:`),
          );
          const toType = to?.[0].split(":")[1];
          if (!isType(toType) || !a.to?.id || !p.objects[toType].get(a.to.id))
            return invalid("association to a record that does not exist");
          p.associate(type, o.id, toType, a.to.id);
        }
        results.push(view(o));
      } else if (op === "update") {
        const o = p.objects[type].get(String(input.id));
        if (!o || o.archived)
          return error(404, `resource not found: ${input.id}`, { category: "OBJECT_NOT_FOUND" });
        const stage = input.properties?.dealstage;
        if (type === "deals" && stage && !DEAL_PIPELINE.stages.some((s) => s.id === stage))
          return invalid(`Property values were not valid: dealstage ${stage}`);
        results.push(view(p.writeObject(type, o.id, input.properties ?? {})));
      } else return error(404, `no batch ${op}`);
    }
    return { status: op === "create" ? 201 : 200, json: { status: "COMPLETE", results } };
  }

  /** v4: /crm/v4/associations/{from}/{to}/batch/{read|associate/default|archive} */
  function associations(
    p: Portal,
    from: ObjectType,
    to: ObjectType,
    op: string,
    body: Record<string, unknown> | undefined,
  ): FakeAnswer {
    const inputs = (body?.inputs ?? []) as {
      id?: string;
      from?: { id?: string };
      to?: { id?: string } | { id?: string }[];
    }[];
    if (inputs.length === 0 || inputs.length > 1000) return invalid("between 1 and 1000 inputs");
    const typeId = ASSOCIATION_TYPE[`${from}:${to}`] ?? 0;
    if (op === "read") {
      const results = inputs
        .map((i) => String(i.id))
        .filter((id) => p.objects[from].get(id))
        .map((id) => ({
          from: { id },
          to: p.associated(from, id, to).map((toObjectId) => ({
            toObjectId: Number(toObjectId),
            associationTypes: [{ category: "HUBSPOT_DEFINED", typeId, label: null }],
          })),
        }));
      return { status: 200, json: { status: "COMPLETE", results, errors: [] } };
    }
    for (const i of inputs) {
      const fromId = String(i.from?.id);
      const targets = Array.isArray(i.to) ? i.to : [i.to];
      for (const t of targets) {
        const toId = String(t?.id);
        if (!p.objects[from].get(fromId) || !p.objects[to].get(toId))
          return invalid(`association between records that do not exist: ${fromId}, ${toId}`);
        if (op === "associate/default") p.associate(from, fromId, to, toId);
        else if (op === "archive") p.dissociate(from, fromId, to, toId);
        else return error(404, `no association batch ${op}`);
      }
    }
    return op === "archive" ? { status: 204 } : { status: 200, json: { status: "COMPLETE", results: [] } };
  }

  function api(p: Portal, method: string, url: URL, body: Record<string, unknown> | undefined): FakeAnswer {
    const path = url.pathname;
    if (method === "GET" && path === "/crm/v3/pipelines/deals")
      return { status: 200, json: { results: [DEAL_PIPELINE] } };
    const v4 = /^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/(read|associate\/default|archive)$/.exec(path);
    if (method === "POST" && v4) {
      const [from, to] = [v4[1], v4[2]];
      if (!isType(from) || !isType(to)) return error(404, `no association ${from} → ${to}`);
      return associations(p, from, to, v4[3] ?? "", body);
    }
    const m = /^\/crm\/v3\/objects\/(\w+)(?:\/(search|batch\/\w+|\d+))?$/.exec(path);
    const type = m?.[1];
    if (!m || !isType(type)) return error(404, `no route ${method} ${path}`);
    const rest = m[2] ?? "";
    if (method === "POST" && rest === "search") return search(p, type, body);
    if (method === "POST" && rest.startsWith("batch/")) return batch(p, type, rest.slice(6), body);
    if (method === "GET" && /^\d+$/.test(rest)) {
      const o = p.objects[type].get(rest);
      return o && !o.archived
        ? { status: 200, json: view(o) }
        : error(404, "resource not found", { category: "OBJECT_NOT_FOUND" });
    }
    return error(404, `no route ${method} ${path}`);
  }

  return {
    portal,
    handle({ method, url, headers, body: raw }: FakeRequest): FakeAnswer {
      const token = /^Bearer (pat-[\w-]+)$/.exec(String(headers.authorization ?? ""))?.[1];
      if (!token)
        return error(401, "Authentication credentials not found.", { category: "INVALID_AUTHENTICATION" });
      const p = portal(token);
      const body = raw ? jsonOf(raw) : undefined;
      if (url.pathname.startsWith("/_control")) return control(p, method, url.pathname, body);
      p.calls++;
      if (p.rateLimitNext > 0) {
        p.rateLimitNext--;
        return {
          ...error(429, "You have reached your secondly limit.", {
            errorType: "RATE_LIMIT",
            policyName: "SECONDLY",
          }),
          headers: { "retry-after": "1" },
        };
      }
      return api(p, method, url, body);
    },
  };
}

export async function startFakeHubSpot(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const fake = createFakeHubSpot();
  return startFakeServer(port, (request) => fake.handle(request));
}

// `npm run fake:hubspot`: the fake on a fixed port (README: "Integrations"); any pat-… token is a
// portal. FAKE_HUBSPOT_PORT sets the port (default 8795).
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.FAKE_HUBSPOT_PORT ?? 8795);
  startFakeHubSpot(port).then((fake) => {
    console.log(
      `fake HubSpot API on ${fake.url} (Bearer pat-…; POST /_control/contacts, /companies or /deals adds a record as someone in HubSpot would)`,
    );
  });
}
