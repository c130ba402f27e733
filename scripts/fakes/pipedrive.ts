import { type FakeAnswer, type FakeRequest, jsonOf, startFakeServer } from "./server.js";

// Pipedrive's API v2 persons as the sync plugin uses it: list sorted by update_time with
// `updated_since` and cursor paging (`additional_data.next_cursor`, at most 500 a page), read one,
// search by email, create, update, delete (a deleted person reads back with is_deleted). Auth is the
// `x-api-token` header (or `api_token` in the query); each token is its own company. Rate limits as
// Pipedrive's token-based ones: a burst window of 2 s (x-ratelimit-* headers, 429 past it) and a
// daily token budget that each request draws on by its cost. The `_control` routes play a person
// working in Pipedrive: add, change, delete, list; force 429s; set the budget.

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

const BURST_WINDOW_MS = 2000;
/** Tokens each request costs, as Pipedrive weighs them: lists and searches more than reads. */
const COST = { get: 1, list: 10, search: 20, create: 5, update: 5, delete: 3 } as const;

/** RFC 3339 to the second, as Pipedrive's v2 timestamps are. */
const seconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

class Company {
  persons = new Map<number, Person>();
  rateLimitNext = 0;
  burstLimit = 80;
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
  return change;
}

const cursorOf = (p: Person) => btoa(JSON.stringify([p.update_time, p.id]));

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
    const one = /^\/api\/v2\/persons\/(\d+)$/.exec(path);
    const cost =
      method === "GET"
        ? path === "/api/v2/persons"
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

    if (method === "GET" && path === "/api/v2/persons") {
      const limit = Number(q.get("limit") ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        return fail(400, "limit must be between 1 and 500");
      if (q.get("sort_by") && q.get("sort_by") !== "update_time" && q.get("sort_by") !== "id")
        return fail(400, "sort_by must be id, update_time or add_time");
      const since = q.get("updated_since");
      if (since && Number.isNaN(Date.parse(since))) return fail(400, "updated_since must be RFC 3339");
      const byTime = q.get("sort_by") === "update_time";
      const desc = q.get("sort_direction") === "desc";
      let all = [...c.persons.values()]
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
        const from = (p: Person) => (byTime ? p.update_time.localeCompare(time) || p.id - id : p.id - id);
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
    if (method === "POST" && path === "/api/v2/persons") {
      const change = changeOf(body, true);
      return typeof change === "string"
        ? fail(400, `Parameter '${change}' is invalid`)
        : ok(c.write(null, change));
    }
    if (one) {
      const p = c.persons.get(Number(one[1]));
      if (!p) return fail(404, "Person not found");
      if (method === "GET") return ok(p);
      if (p.is_deleted) return fail(410, "Person is deleted");
      if (method === "PATCH") {
        const change = changeOf(body, false);
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
