import { type FakeAnswer, type FakeRequest, jsonOf, startFakeServer } from "./server.js";

// Pipedrive's API v2 persons, organizations and deals as the sync plugin uses them: list sorted by
// update_time with `updated_since` and cursor paging (`additional_data.next_cursor`, at most 500 a
// page), read one, create, update, delete (a deleted record reads back with is_deleted); persons
// searched by email; the pipeline's stages. A person's org_id and a deal's person_id, org_id and
// stage_id must name records that exist; a deal's status is open, won or lost. Auth is the
// `x-api-token` header (or `api_token` in the query); each token is its own company. Rate limits as
// Pipedrive's token-based ones: a burst window of 2 s (x-ratelimit-* headers, 429 past it) and a
// daily token budget that each request draws on by its cost. The `_control` routes play a person
// working in Pipedrive: add, change, delete, list; force 429s; set the budget; require fields.

type Contact = { value: string; primary: boolean; label: string };
type Person = {
  id: number;
  name: string;
  first_name: string | null;
  last_name: string | null;
  emails: Contact[];
  phones: Contact[];
  owner_id: number;
  org_id: number | null;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  visible_to: number;
};

type Organization = {
  id: number;
  name: string;
  owner_id: number;
  address: null;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  visible_to: number;
};
type Deal = {
  id: number;
  title: string;
  value: number;
  currency: string;
  pipeline_id: number;
  stage_id: number;
  status: "open" | "won" | "lost";
  expected_close_date: string | null;
  person_id: number | null;
  org_id: number | null;
  owner_id: number;
  lost_reason: string | null;
  won_time: string | null;
  lost_time: string | null;
  add_time: string;
  update_time: string;
  is_deleted: boolean;
  visible_to: number;
};
type Entity = "persons" | "organizations" | "deals";
type Row = Person | Organization | Deal;

/** The default pipeline's stages, as a new Pipedrive company has them. */
export const STAGES = [
  "Lead In",
  "Contact Made",
  "Demo Scheduled",
  "Proposal Made",
  "Negotiations Started",
].map((name, i) => ({
  id: i + 1,
  name,
  pipeline_id: 1,
  order_nr: i + 1,
  deal_probability: 100,
  is_deal_rot_enabled: false,
  days_to_rotten: null,
  is_deleted: false,
}));

const BURST_WINDOW_MS = 2000;
/** Tokens each request costs, as Pipedrive weighs them: lists and searches more than reads. */
const COST = { get: 1, list: 10, search: 20, create: 5, update: 5, delete: 3 } as const;

/** RFC 3339 to the second, as Pipedrive's v2 timestamps are. */
const seconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

class Company {
  readonly records = {
    persons: new Map<number, Person>(),
    organizations: new Map<number, Organization>(),
    deals: new Map<number, Deal>(),
  };
  get persons() {
    return this.records.persons;
  }
  rateLimitNext = 0;
  burstLimit = 80;
  /** Fields a new record must have, as a company's "required fields" setting makes them. */
  required: Partial<Record<Entity, string[]>> = {};
  budget = 30_000;
  calls = 0;
  /** The rate limiter's clock (a test moves it past a pause instead of sleeping). */
  now: () => number = Date.now;
  private burst: number[] = [];
  private next = 1000;

  write(id: number | null, change: Partial<Person>): Person {
    const at = seconds(Date.now());
    const existing = id ? this.persons.get(id) : undefined;
    const person: Person = existing ?? {
      id: ++this.next,
      name: "",
      first_name: null,
      last_name: null,
      emails: [],
      phones: [],
      owner_id: 1,
      org_id: null,
      add_time: at,
      update_time: at,
      is_deleted: false,
      visible_to: 3,
    };
    Object.assign(person, change, { update_time: at });
    const [first, ...rest] = person.name.trim().split(/\s+/);
    person.first_name = first || null;
    person.last_name = rest.join(" ") || null;
    this.persons.set(person.id, person);
    return person;
  }

  /** An organization or a deal written as someone in Pipedrive would (or through the API). */
  writeRecord<E extends "organizations" | "deals">(entity: E, id: number | null, change: Partial<Row>) {
    const at = seconds(Date.now());
    const map = this.records[entity] as Map<number, Organization | Deal>;
    const existing = id ? map.get(id) : undefined;
    const base = () => ({
      id: ++this.next,
      owner_id: 1,
      add_time: at,
      update_time: at,
      is_deleted: false,
      visible_to: 3,
    });
    const fresh = (): Organization | Deal =>
      entity === "organizations"
        ? { ...base(), name: "", address: null }
        : {
            ...base(),
            title: "",
            value: 0,
            currency: "USD",
            pipeline_id: 1,
            stage_id: 1,
            status: "open",
            expected_close_date: null,
            person_id: null,
            org_id: null,
            lost_reason: null,
            won_time: null,
            lost_time: null,
          };
    const record = existing ?? fresh();
    Object.assign(record, change, { update_time: at });
    if ("status" in record && "status" in change)
      Object.assign(record, {
        won_time: record.status === "won" ? at : null,
        lost_time: record.status === "lost" ? at : null,
      });
    map.set(record.id, record);
    return record as E extends "deals" ? Deal : Organization;
  }

  live(entity: Entity, id: unknown): boolean {
    const r = (this.records[entity] as Map<number, Row>).get(Number(id));
    return Boolean(r && !r.is_deleted);
  }

  byEmail(email: string): Person | undefined {
    const e = email.toLowerCase();
    return [...this.persons.values()].find(
      (p) => !p.is_deleted && p.emails.some((x) => x.value.toLowerCase() === e),
    );
  }

  /** Draws a request's cost; the answer when it is over a limit. */
  draw(cost: number, now = this.now()): FakeAnswer | null {
    this.burst = this.burst.filter((t) => t > now - BURST_WINDOW_MS);
    const reset = this.burst[0] ? Math.max(1, Math.ceil((this.burst[0] + BURST_WINDOW_MS - now) / 1000)) : 2;
    if (this.rateLimitNext > 0 || this.burst.length >= this.burstLimit) {
      if (this.rateLimitNext > 0) this.rateLimitNext--;
      return {
        ...fail(429, "Request over limit"),
        headers: {
          "x-ratelimit-limit": String(this.burstLimit),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(reset),
        },
      };
    }
    if (this.budget < cost) {
      const midnight = new Date(now);
      midnight.setUTCHours(24, 0, 0, 0);
      return {
        ...fail(429, "Daily API token budget exceeded"),
        headers: {
          "x-daily-requests-left": "0",
          "x-ratelimit-reset": String(Math.ceil((midnight.getTime() - now) / 1000)),
        },
      };
    }
    this.burst.push(now);
    this.budget -= cost;
    return null;
  }

  headers(): Record<string, string> {
    return {
      "x-ratelimit-limit": String(this.burstLimit),
      "x-ratelimit-remaining": String(Math.max(0, this.burstLimit - this.burst.length)),
      "x-ratelimit-reset": "2",
      "x-daily-requests-left": String(this.budget),
    };
  }
}

function fail(status: number, error: string): FakeAnswer {
  return {
    status,
    json: { success: false, error, errorCode: status, error_info: "developers.pipedrive.com" },
  };
}
const ok = (data: unknown, additional?: Record<string, unknown>): FakeAnswer => ({
  status: 200,
  json: { success: true, data, ...(additional ? { additional_data: additional } : {}) },
});

/** Contacts (emails, phones) as Pipedrive takes them: a list of `{value, primary, label}`. */
function contactsOf(value: unknown): Contact[] | string {
  if (!Array.isArray(value)) return "must be a list";
  const out: Contact[] = [];
  for (const v of value as { value?: unknown; primary?: unknown; label?: unknown }[]) {
    if (typeof v?.value !== "string") return "each needs a value";
    out.push({
      value: v.value,
      primary: v.primary === true,
      label: typeof v.label === "string" ? v.label : "work",
    });
  }
  return out;
}

/** A person's fields from a create or update body, or which field is wrong. */
function changeOf(body: Record<string, unknown> | undefined, creating: boolean): Partial<Person> | string {
  const change: Partial<Person> = {};
  if (body?.name !== undefined) {
    if (typeof body.name !== "string" || !body.name.trim()) return "name";
    change.name = body.name.trim();
  } else if (creating) return "name";
  for (const key of ["emails", "phones"] as const) {
    if (body?.[key] === undefined) continue;
    const list = contactsOf(body[key]);
    if (typeof list === "string") return key;
    change[key] = list;
  }
  if (body?.org_id !== undefined) {
    if (body.org_id !== null && !Number.isInteger(body.org_id)) return "org_id";
    change.org_id = body.org_id as number | null;
  }
  return change;
}

/** An organization's or a deal's fields from a body, or which field is wrong (references checked). */
function recordChangeOf(
  c: Company,
  entity: "organizations" | "deals",
  body: Record<string, unknown> | undefined,
  creating: boolean,
): Partial<Row> | string {
  const b = body ?? {};
  const text = (key: string, required: boolean) =>
    b[key] === undefined
      ? required
        ? key
        : null
      : typeof b[key] === "string" && (b[key] as string).trim()
        ? null
        : key;
  if (entity === "organizations") {
    const wrong = text("name", creating);
    if (wrong) return wrong;
    return b.name === undefined ? {} : { name: String(b.name).trim() };
  }
  const wrong = text("title", creating);
  if (wrong) return wrong;
  const change: Partial<Deal> = {};
  if (b.title !== undefined) change.title = String(b.title).trim();
  if (b.value !== undefined) {
    if (typeof b.value !== "number" || !Number.isFinite(b.value)) return "value";
    change.value = b.value;
  }
  if (b.currency !== undefined) {
    if (typeof b.currency !== "string" || !/^[A-Z]{3}$/.test(b.currency)) return "currency";
    change.currency = b.currency;
  }
  if (b.status !== undefined) {
    if (!["open", "won", "lost"].includes(String(b.status))) return "status";
    change.status = b.status as Deal["status"];
  }
  if (b.stage_id !== undefined) {
    if (!STAGES.some((x) => x.id === b.stage_id)) return "stage_id";
    change.stage_id = b.stage_id as number;
  }
  if (b.expected_close_date !== undefined) {
    if (b.expected_close_date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(String(b.expected_close_date)))
      return "expected_close_date";
    change.expected_close_date = b.expected_close_date as string | null;
  }
  for (const [key, to] of [
    ["person_id", "persons"],
    ["org_id", "organizations"],
  ] as const) {
    if (b[key] === undefined) continue;
    if (b[key] !== null && !c.live(to, b[key])) return key;
    change[key] = b[key] as number | null;
  }
  if (b.lost_reason !== undefined) change.lost_reason = b.lost_reason === null ? null : String(b.lost_reason);
  return change;
}

const cursorOf = (p: Row) => btoa(JSON.stringify([p.update_time, p.id]));

export function createFakePipedrive() {
  const companies = new Map<string, Company>();
  const company = (token: string) => {
    let c = companies.get(token);
    if (!c) {
      c = new Company();
      companies.set(token, c);
    }
    return c;
  };

  function control(
    c: Company,
    method: string,
    path: string,
    body: Record<string, unknown> | undefined,
  ): FakeAnswer {
    if (method === "GET" && path === "/_control/persons") return ok([...c.persons.values()]);
    if (method === "POST" && path === "/_control/persons") {
      const change = changeOf(body, true);
      return typeof change === "string" ? fail(400, `invalid ${change}`) : ok(c.write(null, change));
    }
    if (method === "POST" && path === "/_control/rate-limit") {
      c.rateLimitNext = Number(body?.next ?? 0);
      if (body?.burst !== undefined) c.burstLimit = Number(body.burst);
      if (body?.budget !== undefined) c.budget = Number(body.budget);
      return ok({ ok: true });
    }
    if (method === "GET" && path === "/_control/calls") return ok({ calls: c.calls, budget: c.budget });
    // POST /_control/required {deals: ["expected_close_date"]}: new records need these fields.
    if (method === "POST" && path === "/_control/required") {
      c.required = (body ?? {}) as Company["required"];
      return ok({ ok: true });
    }
    const other = /^\/_control\/(organizations|deals)(?:\/(\d+))?$/.exec(path);
    if (other) {
      const entity = other[1] as "organizations" | "deals";
      const id = other[2] ? Number(other[2]) : null;
      if (method === "GET" && !id) return ok([...c.records[entity].values()]);
      if (id && !c.records[entity].get(id)) return fail(404, "not found");
      if (method === "DELETE" && id) return ok(c.writeRecord(entity, id, { is_deleted: true }));
      const change = recordChangeOf(c, entity, body, !id);
      if (typeof change === "string") return fail(400, `invalid ${change}`);
      return ok(c.writeRecord(entity, id, change));
    }
    const m = /^\/_control\/persons\/(\d+)$/.exec(path);
    const p = m ? c.persons.get(Number(m[1])) : undefined;
    if (!p) return fail(404, "Person not found");
    if (method === "PATCH") {
      const change = changeOf(body, false);
      return typeof change === "string" ? fail(400, `invalid ${change}`) : ok(c.write(p.id, change));
    }
    if (method === "DELETE") return ok(c.write(p.id, { is_deleted: true }));
    return fail(404, "no such control");
  }

  function api(c: Company, method: string, url: URL, body: Record<string, unknown> | undefined): FakeAnswer {
    const path = url.pathname;
    const q = url.searchParams;
    const listed = /^\/api\/v2\/(persons|organizations|deals)$/.exec(path)?.[1] as Entity | undefined;
    const single = /^\/api\/v2\/(persons|organizations|deals)\/(\d+)$/.exec(path);
    const cost =
      method === "GET"
        ? listed || path === "/api/v2/stages"
          ? COST.list
          : path === "/api/v2/persons/search"
            ? COST.search
            : COST.get
        : method === "POST"
          ? COST.create
          : method === "PATCH"
            ? COST.update
            : COST.delete;
    const limited = c.draw(cost);
    if (limited) return limited;

    if (method === "GET" && path === "/api/v2/stages") return ok(STAGES, { next_cursor: null });
    if (method === "GET" && listed) {
      const limit = Number(q.get("limit") ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        return fail(400, "limit must be between 1 and 500");
      if (q.get("sort_by") && q.get("sort_by") !== "update_time" && q.get("sort_by") !== "id")
        return fail(400, "sort_by must be id, update_time or add_time");
      const since = q.get("updated_since");
      if (since && Number.isNaN(Date.parse(since))) return fail(400, "updated_since must be RFC 3339");
      const byTime = q.get("sort_by") === "update_time";
      const desc = q.get("sort_direction") === "desc";
      let all = [...(c.records[listed] as Map<number, Row>).values()]
        .filter((p) => !p.is_deleted && (!since || Date.parse(p.update_time) >= Date.parse(since)))
        .sort((a, b) => (byTime ? a.update_time.localeCompare(b.update_time) || a.id - b.id : a.id - b.id));
      if (desc) all = all.reverse();
      const cursor = q.get("cursor");
      if (cursor) {
        // Keyset: the page goes on from the cursor's (update_time, id), whatever changed since.
        let key: unknown;
        try {
          key = JSON.parse(atob(cursor));
        } catch {
          return fail(400, "invalid cursor");
        }
        if (!Array.isArray(key) || typeof key[0] !== "string" || typeof key[1] !== "number")
          return fail(400, "invalid cursor");
        const [time, id] = key as [string, number];
        const from = (p: Row) => (byTime ? p.update_time.localeCompare(time) || p.id - id : p.id - id);
        all = all.filter((p) => (desc ? from(p) <= 0 : from(p) >= 0));
      }
      const page = all.slice(0, limit);
      const next = all[limit];
      return ok(page, { next_cursor: next ? cursorOf(next) : null });
    }
    if (method === "GET" && path === "/api/v2/persons/search") {
      const term = q.get("term") ?? "";
      if (term.length < 2) return fail(400, "term must be at least 2 characters");
      if (q.get("fields") !== "email" || q.get("exact_match") !== "true")
        return fail(400, "this fake searches by exact email only");
      const p = c.byEmail(term);
      const items = p
        ? [
            {
              result_score: 1,
              item: {
                id: p.id,
                type: "person",
                name: p.name,
                emails: p.emails.map((e) => e.value),
                phones: p.phones.map((e) => e.value),
              },
            },
          ]
        : [];
      return ok({ items }, { next_cursor: null });
    }
    const missing =
      method === "POST" && listed ? c.required[listed]?.find((f) => body?.[f] == null) : undefined;
    if (missing) return fail(400, `Parameter '${missing}' is required`);
    if (method === "POST" && listed && listed !== "persons") {
      const change = recordChangeOf(c, listed, body, true);
      return typeof change === "string"
        ? fail(400, `Parameter '${change}' is invalid`)
        : ok(c.writeRecord(listed, null, change));
    }
    if (single && single[1] !== "persons") {
      const entity = single[1] as "organizations" | "deals";
      const r = c.records[entity].get(Number(single[2]));
      if (!r) return fail(404, `${entity === "deals" ? "Deal" : "Organization"} not found`);
      if (method === "GET") return ok(r);
      if (r.is_deleted) return fail(410, "Record is deleted");
      if (method === "PATCH") {
        const change = recordChangeOf(c, entity, body, false);
        return typeof change === "string"
          ? fail(400, `Parameter '${change}' is invalid`)
          : ok(c.writeRecord(entity, r.id, change));
      }
      if (method === "DELETE") {
        c.writeRecord(entity, r.id, { is_deleted: true });
        return ok({ id: r.id });
      }
    }
    if (method === "POST" && path === "/api/v2/persons") {
      const change = changeOf(body, true);
      if (typeof change !== "string" && change.org_id && !c.live("organizations", change.org_id))
        return fail(400, "Parameter 'org_id' is invalid");
      return typeof change === "string"
        ? fail(400, `Parameter '${change}' is invalid`)
        : ok(c.write(null, change));
    }
    const one = single?.[1] === "persons" ? single : null;
    if (one) {
      const p = c.persons.get(Number(one[2]));
      if (!p) return fail(404, "Person not found");
      if (method === "GET") return ok(p);
      if (p.is_deleted) return fail(410, "Person is deleted");
      if (method === "PATCH") {
        const change = changeOf(body, false);
        if (typeof change !== "string" && change.org_id && !c.live("organizations", change.org_id))
          return fail(400, "Parameter 'org_id' is invalid");
        return typeof change === "string"
          ? fail(400, `Parameter '${change}' is invalid`)
          : ok(c.write(p.id, change));
      }
      if (method === "DELETE") {
        c.write(p.id, { is_deleted: true });
        return ok({ id: p.id });
      }
    }
    return fail(404, `no route ${method} ${path}`);
  }

  return {
    company,
    handle({ method, url, headers, body: raw }: FakeRequest): FakeAnswer {
      const token = String(headers["x-api-token"] ?? url.searchParams.get("api_token") ?? "");
      if (!/^[\w-]{8,}$/.test(token)) return fail(401, "unauthorized access");
      const c = company(token);
      const body = raw ? jsonOf(raw) : undefined;
      if (url.pathname.startsWith("/_control")) return control(c, method, url.pathname, body);
      c.calls++;
      const answer = api(c, method, url, body);
      return { ...answer, headers: { ...c.headers(), ...answer.headers } };
    },
  };
}

export async function startFakePipedrive(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const fake = createFakePipedrive();
  return startFakeServer(port, (request) => fake.handle(request));
}

// `npm run fake:pipedrive`: the fake on a fixed port (README: "Integrations"); any token of 8 or more
// letters, digits, - or _ is a company. FAKE_PIPEDRIVE_PORT sets the port (default 8796).
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.FAKE_PIPEDRIVE_PORT ?? 8796);
  startFakePipedrive(port).then((fake) => {
    console.log(
      `fake Pipedrive API on ${fake.url} (x-api-token: any token; POST /_control/persons adds a person as someone in Pipedrive would)`,
    );
  });
}
