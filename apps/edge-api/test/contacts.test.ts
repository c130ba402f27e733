import { beforeAll, describe, expect, it } from "vitest";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

describe("contacts and companies", () => {
  let h: Record<string, string>;
  let other: Record<string, string>;
  let tenantId: string;

  beforeAll(async () => {
    const a = await signup("Contacts A");
    tenantId = a.tenantId;
    h = bearer((await createKey(a)).secret);
    other = bearer((await createKey(await signup("Contacts B"))).secret);
  });

  it("dedupes on normalised email and E.164 phone", async () => {
    const first = await call("/v1/contacts", {
      body: { name: "Ada", email: "Ada@Example.com", phone: "+49 30 901820" },
      headers: h,
    });
    expect(first.status).toBe(201);
    expect(first.json.phoneE164).toBe("+4930901820");
    const sameEmail = await call("/v1/contacts", { body: { email: " ada@example.COM " }, headers: h });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.json.error.details.contactId).toBe(first.json.id);
    const samePhone = await call("/v1/contacts", { body: { phone: "0049 30 901820" }, headers: h });
    expect([samePhone.status, samePhone.json.error.code]).toEqual([409, "duplicate_contact"]);
  });

  it("bad input is a 400 naming the field", async () => {
    const badEmail = await call("/v1/contacts", { body: { email: "not-an-email" }, headers: h });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.error.message).toMatch(/^email/);
    const badPhone = await call("/v1/contacts", { body: { phone: "+1 555" }, headers: h });
    expect([badPhone.status, badPhone.json.error.message]).toEqual([400, expect.stringMatching(/^phone/)]);
    const nothing = await call("/v1/contacts", { body: {}, headers: h });
    expect(nothing.status).toBe(400);
    const badSort = await call("/v1/contacts?sort=shoe", { headers: h });
    expect([badSort.status, badSort.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^query\.sort/),
    ]);
  });

  it("custom attributes are typed by the tenant's definitions; tags are catalogued", async () => {
    const def = await call("/v1/attribute-definitions", {
      method: "PUT",
      body: { entity: "contact", key: "employees", label: "Employees", type: "number" },
      headers: h,
    });
    expect(def.status).toBe(200);
    const wrong = await call("/v1/contacts", {
      body: { name: "Bob", attributes: { employees: "many" } },
      headers: h,
    });
    expect([wrong.status, wrong.json.error.message]).toEqual([400, "attributes.employees: must be a number"]);
    const unknown = await call("/v1/contacts", {
      body: { name: "Bob", attributes: { shoe: 1 } },
      headers: h,
    });
    expect(unknown.json.error.message).toMatch(/^attributes\.shoe/);
    const ok = await call("/v1/contacts", {
      body: { name: "Bob", attributes: { employees: 12 }, tags: ["vip"], consent: { email: true } },
      headers: h,
    });
    expect(ok.status).toBe(201);
    expect(ok.json.consent).toMatchObject({ email: true, sms: false });
    const tags = await call("/v1/tags", { headers: h });
    expect(tags.json.tags.map((t: { name: string }) => t.name)).toContain("vip");
    const byTag = await call("/v1/contacts?tag=vip", { headers: h });
    expect(byTag.json.contacts.map((c: { id: string }) => c.id)).toEqual([ok.json.id]);
  });

  it("lists with sorting and cursor pagination, without gaps or repeats", async () => {
    const names = ["p1", "p2", "p3", "p4", "p5"];
    for (const name of names) await call("/v1/contacts", { body: { name: `page-${name}` }, headers: h });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: Awaited<ReturnType<typeof call>> = await call(
        `/v1/contacts?q=page-&sort=name&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { headers: h },
      );
      expect(res.status).toBe(200);
      seen.push(...res.json.contacts.map((c: { name: string }) => c.name));
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(names.map((n) => `page-${n}`));
    const bad = await call("/v1/contacts?cursor=zzz", { headers: h });
    expect([bad.status, bad.json.error.message]).toEqual([400, expect.stringMatching(/^query\.cursor/)]);
  });

  it("reads a page's contacts by id in one call: only those, only the caller's; bad ids are a 400", async () => {
    const made: string[] = [];
    for (const name of ["ids-a", "ids-b", "ids-c"])
      made.push((await call("/v1/contacts", { body: { name }, headers: h })).json.id);
    const theirs = (await call("/v1/contacts", { body: { name: "ids-theirs" }, headers: other })).json.id;
    const some = await call(`/v1/contacts?ids=${made[0]},${made[2]},${theirs}&sort=name&order=asc`, {
      headers: h,
    });
    expect(some.status).toBe(200);
    expect(some.json.contacts.map((c: { name: string }) => c.name)).toEqual(["ids-a", "ids-c"]);
    const fromOther = await call(`/v1/contacts?ids=${made.join(",")}`, { headers: other });
    expect(fromOther.json.contacts).toEqual([]);
    const notUuid = await call(`/v1/contacts?ids=${made[0]},nope`, { headers: h });
    expect([notUuid.status, notUuid.json.error.message]).toEqual([400, expect.stringMatching(/^query\.ids/)]);
    const tooMany = Array.from({ length: 201 }, () => crypto.randomUUID()).join(",");
    const many = await call(`/v1/contacts?ids=${tooMany}`, { headers: h });
    expect([many.status, many.json.error.message]).toEqual([400, expect.stringMatching(/^query\.ids/)]);
  });

  it("creates are idempotent", async () => {
    const headers = { ...h, "idempotency-key": "contact-1" };
    const one = await call("/v1/contacts", { body: { name: "Idem", email: "idem@example.com" }, headers });
    const two = await call("/v1/contacts", { body: { name: "Idem", email: "idem@example.com" }, headers });
    expect([one.status, two.status, two.json.id]).toEqual([201, 201, one.json.id]);
  });

  it("companies: CRUD with domain dedupe", async () => {
    const co = await call("/v1/companies", {
      body: { name: "Acme", domain: "https://www.Acme.com/about" },
      headers: h,
    });
    expect([co.status, co.json.domain]).toEqual([201, "acme.com"]);
    const dup = await call("/v1/companies", { body: { name: "Acme 2", domain: "acme.com" }, headers: h });
    expect(dup.status).toBe(409);
    const patched = await call(`/v1/companies/${co.json.id}`, {
      method: "PATCH",
      body: { name: "Acme Inc" },
      headers: h,
    });
    expect(patched.json.name).toBe("Acme Inc");
    const contact = await call("/v1/contacts", {
      body: { name: "Worker", companyId: co.json.id },
      headers: h,
    });
    expect(contact.json.companyId).toBe(co.json.id);
    const del = await call(`/v1/companies/${co.json.id}`, { method: "DELETE", headers: h });
    expect(del.status).toBe(409);
  });

  it("another tenant's contact is a 404 on every route", async () => {
    const mine = await call("/v1/contacts", { body: { name: "Private" }, headers: h });
    const id = mine.json.id;
    expect((await call(`/v1/contacts/${id}`, { headers: other })).status).toBe(404);
    expect(
      (await call(`/v1/contacts/${id}`, { method: "PATCH", body: { name: "x" }, headers: other })).status,
    ).toBe(404);
    expect((await call(`/v1/contacts/${id}/export`, { headers: other })).status).toBe(404);
    expect((await call(`/v1/contacts/${id}/erase`, { method: "POST", headers: other })).status).toBe(404);
    expect((await call(`/v1/contacts/${id}`, { method: "DELETE", headers: other })).status).toBe(404);
    const theirs = await call("/v1/contacts", { body: { name: "Theirs" }, headers: other });
    const merge = await call(`/v1/contacts/${theirs.json.id}/merge`, {
      body: { duplicateId: id },
      headers: other,
    });
    expect(merge.status).toBe(404);
    expect((await call("/v1/contacts?q=Private", { headers: other })).json.contacts).toEqual([]);
  });

  it("merge keeps every field it can and every activity", async () => {
    const a = await call("/v1/contacts", {
      body: { name: "Merge Keep", email: "keep@example.com" },
      headers: h,
    });
    const b = await call("/v1/contacts", {
      body: { name: "M. Keep", phone: "+44 20 7946 0958", tags: ["from-b"] },
      headers: h,
    });
    const db = ownerDb();
    try {
      for (const [cid, n] of [
        [a.json.id, 2],
        [b.json.id, 3],
      ] as const) {
        for (let i = 0; i < n; i++) {
          await db.query(
            "insert into activities (tenant_id, kind, subject, contact_id) values ($1, 'note', $2, $3)",
            [tenantId, `note ${cid.slice(0, 4)} ${i}`, cid],
          );
        }
      }
      const merged = await call(`/v1/contacts/${a.json.id}/merge`, {
        body: { duplicateId: b.json.id },
        headers: h,
      });
      expect(merged.status).toBe(200);
      expect(merged.json.contact).toMatchObject({
        name: "Merge Keep",
        email: "keep@example.com",
        phoneE164: "+442079460958",
        tags: ["from-b"],
      });
      expect(merged.json.moved.activities).toBe(3);
      const rows = await db.query<{ n: number }>(
        "select count(*)::int as n from activities where contact_id = $1",
        [a.json.id],
      );
      expect(rows[0]?.n).toBe(5);
      const gone = await call(`/v1/contacts/${b.json.id}`, { headers: h });
      expect(gone.json.mergedIntoId).toBe(a.json.id);
      // The duplicate's phone now finds the survivor.
      const again = await call("/v1/contacts", { body: { phone: "+442079460958" }, headers: h });
      expect(again.json.error.details.contactId).toBe(a.json.id);
    } finally {
      await db.end();
    }
  });
  it("company merge keeps every contact, deal and activity link; bad input 400; other tenant 404", async () => {
    const a = await call("/v1/companies", {
      body: { name: "Globex", tags: ["a"], attributes: {} },
      headers: h,
    });
    const b = await call("/v1/companies", {
      body: { name: "Globex Corp", domain: "globex.example", tags: ["b"] },
      headers: h,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    const person = await call("/v1/contacts", { body: { name: "At B", companyId: b.json.id }, headers: h });
    const db = ownerDb();
    try {
      // Activities: two on the duplicate company, one on the survivor; a deal on the duplicate.
      for (const cid of [b.json.id, b.json.id, a.json.id]) {
        await db.query(
          "insert into activities (tenant_id, kind, subject, company_id) values ($1, 'note', 'n', $2)",
          [tenantId, cid],
        );
      }
      const pipeline = await call("/v1/pipelines", {
        body: {
          name: "Merge pipeline",
          stages: [
            { name: "Open", probability: 10 },
            { name: "Won", probability: 100, category: "won" },
            { name: "Lost", probability: 0, category: "lost" },
          ],
        },
        headers: h,
      });
      const deal = await call("/v1/deals", {
        body: { title: "Globex deal", pipelineId: pipeline.json.id, companyId: b.json.id },
        headers: h,
      });
      expect(deal.status).toBe(201);

      const bad = await call(`/v1/companies/${a.json.id}/merge`, { body: { duplicateId: "x" }, headers: h });
      expect([bad.status, bad.json.error.message]).toEqual([400, expect.stringMatching(/^duplicateId/)]);
      const self = await call(`/v1/companies/${a.json.id}/merge`, {
        body: { duplicateId: a.json.id },
        headers: h,
      });
      expect([self.status, self.json.error.message]).toEqual([400, expect.stringMatching(/^duplicateId/)]);
      const theirs = await call("/v1/companies", { body: { name: "Theirs" }, headers: other });
      const cross = await call(`/v1/companies/${theirs.json.id}/merge`, {
        body: { duplicateId: b.json.id },
        headers: other,
      });
      expect(cross.status).toBe(404);
      const crossIn = await call(`/v1/companies/${a.json.id}/merge`, {
        body: { duplicateId: theirs.json.id },
        headers: h,
      });
      expect(crossIn.status).toBe(404);

      const merged = await call(`/v1/companies/${a.json.id}/merge`, {
        body: { duplicateId: b.json.id },
        headers: h,
      });
      expect(merged.status).toBe(200);
      // Survivor's name kept; its blank domain takes the duplicate's; tags united.
      expect(merged.json.company).toMatchObject({
        name: "Globex",
        domain: "globex.example",
        tags: ["a", "b"],
      });
      expect(merged.json.moved).toEqual({ contacts: 1, leads: 0, deals: 1, activities: 2 });
      const counts = await db.query<{ activities: number; deals: number; contacts: number }>(
        `select (select count(*)::int from activities where company_id = $1) as activities,
                (select count(*)::int from deals where company_id = $1) as deals,
                (select count(*)::int from contacts where company_id = $1) as contacts`,
        [a.json.id],
      );
      expect(counts[0]).toEqual({ activities: 3, deals: 1, contacts: 1 });
      expect((await call(`/v1/contacts/${person.json.id}`, { headers: h })).json.companyId).toBe(a.json.id);
      expect((await call(`/v1/companies/${b.json.id}`, { headers: h })).json.mergedIntoId).toBe(a.json.id);
      const twice = await call(`/v1/companies/${a.json.id}/merge`, {
        body: { duplicateId: b.json.id },
        headers: h,
      });
      expect(twice.status).toBe(409);
    } finally {
      await db.end();
    }
  });
});
