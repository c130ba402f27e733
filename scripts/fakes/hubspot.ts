import { type FakeAnswer, type FakeRequest, jsonOf, startFakeServer } from "./server.js";

// HubSpot's CRM v3 contacts API as the sync plugin uses it: search by lastmodifieddate (sorted,
// `after` paging), batch upsert by email, batch archive, read one; Bearer private-app tokens
// (`pat-…`), each its own portal; 429 with HubSpot's body and Retry-After while rate limited. The
// `_control` routes play a person working in HubSpot: add, change, delete, list; `rateLimitNext`.

type Contact = {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
};

class Portal {
  contacts = new Map<string, Contact>();
  rateLimitNext = 0;
  calls = 0;
  private next = 100;
  private clock = 0;

  /** A modification time after every earlier one (HubSpot's are milliseconds). */
  private tick(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  write(id: string | null, properties: Record<string, string | null>): Contact {
    const at = this.tick();
    const existing = id ? this.contacts.get(id) : undefined;
    const contact: Contact = existing ?? {
      id: String(++this.next),
      properties: {},
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    contact.properties = {
      ...contact.properties,
      ...properties,
      lastmodifieddate: at,
      hs_object_id: contact.id,
    };
    contact.updatedAt = at;
    this.contacts.set(contact.id, contact);
    return contact;
  }

  byEmail(email: string): Contact | undefined {
    return [...this.contacts.values()].find(
      (c) => !c.archived && c.properties.email?.toLowerCase() === email.toLowerCase(),
    );
  }
}

const view = (c: Contact) => ({
  id: c.id,
  properties: c.properties,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  archived: c.archived,
});
const error = (status: number, message: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
  status,
  json: { status: "error", message, correlationId: crypto.randomUUID(), ...extra },
});

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
    if (method === "GET" && path === "/_control/contacts")
      return { status: 200, json: [...p.contacts.values()].map(view) };
    if (method === "POST" && path === "/_control/contacts")
      return { status: 201, json: view(p.write(null, (body ?? {}) as Record<string, string>)) };
    if (method === "POST" && path === "/_control/rate-limit") {
      p.rateLimitNext = Number(body?.next ?? 0);
      return { status: 200, json: { ok: true } };
    }
    if (method === "GET" && path === "/_control/calls") return { status: 200, json: { calls: p.calls } };
    const m = /^\/_control\/contacts\/(\d+)$/.exec(path);
    const c = m ? p.contacts.get(m[1] ?? "") : undefined;
    if (!c) return error(404, "no such contact");
    if (method === "PATCH")
      return { status: 200, json: view(p.write(c.id, (body ?? {}) as Record<string, string>)) };
    if (method === "DELETE") {
      c.archived = true;
      p.write(c.id, {});
      return { status: 204 };
    }
    return error(404, "no such control");
  }

  function api(p: Portal, method: string, url: URL, body: Record<string, unknown> | undefined): FakeAnswer {
    const path = url.pathname;
    if (method === "POST" && path === "/crm/v3/objects/contacts/search") {
      const filter = (
        body?.filterGroups as
          | { filters: { propertyName: string; operator: string; value: string }[] }[]
          | undefined
      )?.[0]?.filters?.[0];
      const after = Number(filter?.value ?? 0);
      const limit = Math.min(200, Number(body?.limit ?? 10));
      const offset = Number(body?.after ?? 0);
      const all = [...p.contacts.values()]
        .filter((c) => !c.archived && Date.parse(c.properties.lastmodifieddate ?? c.updatedAt) > after)
        .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || Number(a.id) - Number(b.id));
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
    if (method === "POST" && path === "/crm/v3/objects/contacts/batch/upsert") {
      const inputs = (body?.inputs ?? []) as {
        idProperty?: string;
        id?: string;
        properties?: Record<string, string>;
      }[];
      if (inputs.length === 0 || inputs.length > 100)
        return error(400, "between 1 and 100 inputs", { category: "VALIDATION_ERROR" });
      const results = [];
      for (const input of inputs) {
        if (input.idProperty !== "email" || !input.id?.includes("@"))
          return error(400, "Property values were not valid: email", { category: "VALIDATION_ERROR" });
        const found = p.byEmail(input.id);
        results.push(
          view(p.write(found?.id ?? null, { ...input.properties, email: input.id.toLowerCase() })),
        );
      }
      return { status: 200, json: { status: "COMPLETE", results } };
    }
    if (method === "POST" && path === "/crm/v3/objects/contacts/batch/archive") {
      for (const { id } of (body?.inputs ?? []) as { id: string }[]) {
        const c = p.contacts.get(id);
        if (c) c.archived = true;
      }
      return { status: 204 };
    }
    const one = /^\/crm\/v3\/objects\/contacts\/(\d+)$/.exec(path);
    if (method === "GET" && one) {
      const c = p.contacts.get(one[1] ?? "");
      return c && !c.archived
        ? { status: 200, json: view(c) }
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
      `fake HubSpot API on ${fake.url} (Bearer pat-…; POST /_control/contacts adds a contact as someone in HubSpot would)`,
    );
  });
}
