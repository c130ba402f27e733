import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { call, hmacSha256Hex, ownerDb, type Session, signup } from "./helpers.js";
import { addReps } from "./sales-helpers.js";

// The inbound lead webhook in workerd: a form tool posts to the workspace's URL, signed with its
// secret (Standard Webhooks, or X-Signature-256); each verified post becomes a contact and a lead,
// scored and assigned as any other; unsigned, forged, stale or other workspaces' posts are refused
// with nothing stored; the latest payloads show in the settings.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

type Intake = {
  url: string;
  secret: string;
  enabled: boolean;
  payloads: { outcome: string; error: string | null; leadId: string | null }[];
};
const intakeOf = async (s: Session) => (await call("/v1/lead-intake", { headers: s.auth })).json as Intake;
const pathOf = (url: string) => new URL(url).pathname;

/** Posts as a form tool signing with Standard Webhooks would. */
function signedPost(i: Intake, body: unknown, opts: { id?: string; at?: Date; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const id = opts.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const at = opts.at ?? new Date();
  const signature = new Webhook(opts.secret ?? i.secret).sign(id, at, raw);
  return call(pathOf(i.url), {
    rawBody: raw,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
  });
}

const leadsOf = async (s: Session) =>
  (await call("/v1/leads", { headers: s.auth })).json.leads as {
    id: string;
    source: string;
    contactId: string;
    score: number;
    ownerId: string | null;
  }[];

describe("inbound lead webhook", () => {
  it("makes each signed post a scored, assigned lead; a repeat of its id makes none", async () => {
    const s = await signup("Intake Co");
    // Two reps share new leads round-robin: the webhook's leads are assigned like any other.
    const reps = await addReps(s.tenantId, 2);
    const team = await call("/v1/teams", { body: { name: "Sales" }, headers: s.auth });
    for (const id of reps)
      await call(`/v1/teams/${team.json.id}/members/${id}`, { method: "PUT", body: {}, headers: s.auth });
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "rr", strategy: "round_robin", teamId: team.json.id }] },
      headers: s.auth,
    });
    const i = await intakeOf(s);
    expect(i.url).toMatch(/\/v1\/intake\/[0-9a-f-]{36}$/);
    expect(i.secret).toMatch(/^whsec_/);
    expect(i.enabled).toBe(true);
    // The same URL and secret on the next read.
    expect(await intakeOf(s)).toMatchObject({ url: i.url, secret: i.secret });

    const first = await signedPost(
      i,
      {
        data: {
          fields: {
            email: "Form@Lead.test",
            name: "Fiona Form",
            company: "Forms Ltd",
            message: "Need 40 seats",
          },
        },
      },
      { id: "msg_form_1" },
    );
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    const again = await signedPost(
      i,
      { data: { fields: { email: "form@lead.test" } } },
      { id: "msg_form_1" },
    );
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ leadId: first.json.leadId, duplicate: true });
    const leads = await leadsOf(s);
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ id: first.json.leadId, source: "webhook" });
    expect(reps).toContain(leads[0]?.ownerId);
    const lead = await call(`/v1/leads/${first.json.leadId}`, { headers: s.auth });
    expect(lead.json).toMatchObject({ title: "Need 40 seats" });
    const contact = await call(`/v1/contacts/${first.json.contactId}`, { headers: s.auth });
    expect(contact.json).toMatchObject({ email: "form@lead.test", name: "Fiona Form" });

    // A form post signed with X-Signature-256, from the same person: a new lead, the same contact.
    const form = new URLSearchParams({ email: "form@lead.test", phone: "+44 20 7946 0000" }).toString();
    const viaHmac = await call(pathOf(i.url), {
      rawBody: form,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-signature-256": `sha256=${await hmacSha256Hex(i.secret, form)}`,
      },
    });
    expect(viaHmac.status, JSON.stringify(viaHmac.json)).toBe(201);
    expect(viaHmac.json.contactId).toBe(first.json.contactId);
    expect(await leadsOf(s)).toHaveLength(2);
  });

  it("refuses unsigned, forged, stale and other workspaces' posts, storing nothing", async () => {
    const a = await signup("Intake A");
    const b = await signup("Intake B");
    const ia = await intakeOf(a);
    const ib = await intakeOf(b);
    const body = { email: "eve@forged.test" };
    const unsigned = await call(pathOf(ia.url), { body });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.message).toMatch(/^webhook-signature: unsigned/);
    expect((await signedPost(ia, body, { secret: ib.secret })).status).toBe(401);
    expect((await signedPost(ia, body, { at: new Date(Date.now() - 10 * 60_000) })).status).toBe(401);
    const badHmac = await call(pathOf(ia.url), {
      rawBody: JSON.stringify(body),
      headers: { "content-type": "application/json", "x-signature-256": `sha256=${"0".repeat(64)}` },
    });
    expect(badHmac.status).toBe(401);
    expect((await call(`/v1/intake/${crypto.randomUUID()}`, { body })).status).toBe(404);
    expect(await leadsOf(a)).toEqual([]);
    expect((await intakeOf(a)).payloads).toEqual([]);
    // Settings are admins' only.
    const agentKey = await call("/v1/api-keys", { body: { name: "agent", role: "agent" }, headers: a.auth });
    expect(
      (await call("/v1/lead-intake", { headers: { authorization: `Bearer ${agentKey.json.secret}` } }))
        .status,
    ).toBe(403);
    // Turned off: refused.
    await call("/v1/lead-intake", { method: "PATCH", body: { enabled: false }, headers: a.auth });
    expect((await signedPost(ia, body)).status).toBe(403);
    // A rotated secret: the old one no longer signs.
    await call("/v1/lead-intake", { method: "PATCH", body: { enabled: true }, headers: a.auth });
    const rotated = (await call("/v1/lead-intake/rotate-secret", { method: "POST", headers: a.auth }))
      .json as Intake;
    expect(rotated.secret).not.toBe(ia.secret);
    expect((await signedPost(ia, body)).status).toBe(401);
    expect((await signedPost(rotated, body)).status).toBe(201);
  });

  it("maps a form's own fields as set in the settings, and shows what it could not use", async () => {
    const s = await signup("Intake Map");
    const i = await intakeOf(s);
    const payload = { answers: { mail: "max@map.test", who: "Max Mapped" }, meta: { budget: 5000 } };
    const unmapped = await signedPost(i, payload);
    expect(unmapped.status).toBe(422);
    expect(unmapped.json.error.message).toMatch(/^email: /);
    const bad = await call("/v1/lead-intake", {
      method: "PATCH",
      body: { mapping: { email: "answers mail" } },
      headers: s.auth,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("mapping");
    const mapped = await call("/v1/lead-intake", {
      method: "PATCH",
      body: {
        mapping: { email: "answers.mail", name: "answers.who", attributes: { budget: "meta.budget" } },
      },
      headers: s.auth,
    });
    expect(mapped.status, JSON.stringify(mapped.json)).toBe(200);
    const created = await signedPost(i, payload);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const lead = await call(`/v1/leads/${created.json.leadId}`, { headers: s.auth });
    expect(lead.json.attributes).toMatchObject({ budget: 5000 });
    const shown = (await intakeOf(s)).payloads;
    expect(shown.map((p) => p.outcome)).toEqual(["created", "refused"]);
    expect(shown[1]?.error).toMatch(/no email, phone or name/);
  });
});
