import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { salesExecutor } from "../src/conversations/sales-actions.js";
import { outboxMailer } from "../src/mail/mailer.js";
import { say, startConversation, type Tenant, tenantWithWidget, texts } from "./conversation-helpers.js";
import { bearer, call, createKey, ownerDb } from "./helpers.js";
import { addReps } from "./sales-helpers.js";

// Route actions inside a chat turn: create_lead, assign (the reply names the owner), tag, notify;
// with the database down they wait in the DO's outbox and run exactly once when it is back.

const leadRoute = {
  id: "demo",
  name: "Book a demo",
  description: "Customer wants a product demo",
  examples: ["I want a demo", "can I book a demo", "show me a demo please", "demo of the product"],
  steps: [
    {
      id: "ask_name",
      kind: "ask",
      prompt: "What is your name?",
      field: { name: "fullName", label: "Name", type: "name" },
      next: "ask_email",
    },
    {
      id: "ask_email",
      kind: "ask",
      prompt: "And your email?",
      field: { name: "email", label: "Email", type: "email" },
      next: "lead",
    },
    { id: "lead", kind: "action", action: { type: "create_lead" }, next: "tag" },
    { id: "tag", kind: "action", action: { type: "tag", tags: ["demo-request"] }, next: "assign" },
    { id: "assign", kind: "action", action: { type: "assign" }, next: "notify" },
    {
      id: "notify",
      kind: "action",
      action: { type: "notify", to: "sales", message: "Demo wanted by {{fields.email}}" },
      next: "done",
    },
    { id: "done", kind: "end", message: "Thanks, you're booked in." },
  ],
};

/** A tenant whose round-robin rule sends leads to team "Sales" with Anna (online) and Ben (away). */
async function salesTenant(): Promise<Tenant & { anna: string; ben: string }> {
  const t = await tenantWithWidget([leadRoute]);
  const h = bearer((await createKey(t)).secret);
  const [anna] = await addReps(t.tenantId, 1, "Anna");
  const [ben] = await addReps(t.tenantId, 1, "Ben");
  if (!anna || !ben) throw new Error("reps not added");
  const team = await call("/v1/teams", { body: { name: "Sales" }, headers: h });
  expect(team.status).toBe(201);
  for (const id of [anna, ben])
    expect(
      (await call(`/v1/teams/${team.json.id}/members/${id}`, { method: "PUT", body: {}, headers: h })).status,
    ).toBe(200);
  const rules = await call("/v1/assignment-rules", {
    method: "PUT",
    body: { rules: [{ name: "everyone", strategy: "round_robin", teamId: team.json.id }] },
    headers: h,
  });
  expect(rules.status, JSON.stringify(rules.json)).toBe(200);
  // Ben set "away" in the inbox: assignment reads the same presence and skips him.
  const db = ownerDb();
  try {
    await db.query(
      "insert into agent_presence (tenant_id, user_id, status) values ($1, $2, 'away') on conflict do nothing",
      [t.tenantId, ben],
    );
  } finally {
    await db.end();
  }
  return { ...t, anna, ben };
}

async function leadsOf(conversationId: string) {
  const db = ownerDb();
  try {
    return await db.query<{ id: string; owner_id: string | null; contact_id: string; source: string }>(
      "select id, owner_id, contact_id, source from leads where conversation_id = $1",
      [conversationId],
    );
  } finally {
    await db.end();
  }
}

async function fillForm(c: { id: string; auth: Record<string, string> }) {
  expect(texts(await say(c, "I want a demo"))).toContain("What is your name?");
  expect(texts(await say(c, "Maria Buyer"))).toContain("And your email?");
  return say(c, `maria-${crypto.randomUUID().slice(0, 8)}@buyer.test`);
}

describe("route actions in a conversation", () => {
  it("a completed form creates a lead, tags and assigns it inside the turn, and the reply names the owner", async () => {
    const t = await salesTenant();
    const c = await startConversation(t);
    const last = await fillForm(c);
    expect(last.status).toBe(200);
    // One closing message: the end step's text with the assignment's line, not two goodbyes.
    expect(texts(last)).toEqual(["Thanks, you're booked in. Anna from Sales will contact you shortly."]);
    const rows = await leadsOf(c.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ owner_id: t.anna, source: "chat" });
    const stub = conversationStub(env, t.tenantId, c.id);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const db = ownerDb();
    try {
      const [conv] = await db.query<{ contact_id: string | null }>(
        "select contact_id from conversations where id = $1",
        [c.id],
      );
      expect(conv?.contact_id).toBe(rows[0]?.contact_id);
      // The inbox lists it under its contact (the dashboard's contact panel and timeline).
      const byContact = await call(`/v1/conversations?contactId=${rows[0]?.contact_id}`, { headers: t.auth });
      expect(byContact.json.conversations).toMatchObject([{ id: c.id, contactId: rows[0]?.contact_id }]);
      const other = await call(`/v1/conversations?contactId=${crypto.randomUUID()}`, { headers: t.auth });
      expect(other.json.conversations).toEqual([]);
      const [contact] = await db.query<{ name: string; tags: string[] }>(
        "select name, tags from contacts where id = $1",
        [rows[0]?.contact_id],
      );
      expect(contact).toMatchObject({ name: "Maria Buyer", tags: ["demo-request"] });
      const notes = await db.query<{ user_id: string; body: string }>(
        "select user_id, body from notifications where tenant_id = $1 and kind = 'route.notify'",
        [t.tenantId],
      );
      expect(notes.length).toBeGreaterThanOrEqual(3); // the signed-up owner, Anna and Ben
      expect(notes[0]?.body).toMatch(/^Demo wanted by maria-/);
    } finally {
      await db.end();
    }
    expect((await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending).toEqual([]);
  });

  it("with the database down the chat still answers; the actions wait and run once when it is back", async () => {
    const t = await salesTenant();
    const c = await startConversation(t);
    const stub = conversationStub(env, t.tenantId, c.id);
    await runInDurableObject(stub, (instance: ConversationDO) => {
      instance.sinks = {
        ...instance.sinks,
        database: () => {
          throw new Error("database down");
        },
      };
    });
    const last = await fillForm(c);
    expect(last.status).toBe(200);
    // The reply stays generic: nobody is named while the lead cannot be assigned.
    expect(texts(last)).toEqual(["Thanks, you're booked in."]);
    const pending = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
    expect(pending.pending.find((p) => p.kind === "action")?.count).toBe(4);
    expect(await leadsOf(c.id)).toHaveLength(0);
    // A drain while still down keeps them waiting, in order.
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    expect(await leadsOf(c.id)).toHaveLength(0);
    // Back up: the next drains run every action once (a second drain finds nothing to do).
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      instance.sinks = { ...instance.sinks, database: () => ownerDb() };
      await instance.drain(true);
      await instance.drain(true);
    });
    expect((await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending).toEqual([]);
    const rows = await leadsOf(c.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.owner_id).toBe(t.anna);
  });

  it("with the database hanging the turn still answers within its deadline; the actions wait and run once", async () => {
    const t = await salesTenant();
    const c = await startConversation(t);
    const stub = conversationStub(env, t.tenantId, c.id);
    const never = () => new Promise<never>(() => {});
    await runInDurableObject(stub, (instance: ConversationDO) => {
      // A short deadline for this conversation only (3 s by default), so the test is quick.
      Object.assign(instance, { env: { ...env, CONVERSATION_DB_TIMEOUT_MS: "300" } });
      instance.sinks = {
        ...instance.sinks,
        // Connects and queries never answer (a hung server), and neither does closing.
        database: () =>
          ({
            pool: { connect: never, query: never, end: never },
            query: never,
            end: never,
            stats: { roundTrips: 0, ms: 0 },
          }) as unknown as ReturnType<typeof ownerDb>,
      };
    });
    const started = Date.now();
    const last = await fillForm(c);
    expect(last.status).toBe(200);
    expect(texts(last)).toEqual(["Thanks, you're booked in."]);
    // Bounded by the deadline, not by the hang.
    expect(Date.now() - started).toBeLessThan(10_000);
    const pending = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
    expect(pending.pending.find((p) => p.kind === "action")?.count).toBe(4);
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      instance.sinks = { ...instance.sinks, database: () => ownerDb() };
      await instance.drain(true);
      await instance.drain(true);
    });
    expect(await leadsOf(c.id)).toHaveLength(1);
  });

  it("a retried action (its acknowledgement lost) runs once: the key is claimed in the same transaction", async () => {
    const t = await salesTenant();
    const conversationId = crypto.randomUUID();
    const db = ownerDb();
    try {
      const context = {
        tenantId: t.tenantId,
        conversationId,
        visitorId: "v1",
        key: `${conversationId}:demo:lead:3`,
        leadId: null,
        contactId: null,
        fieldTypes: { fullName: "name" as const, email: "email" as const },
      };
      const command = {
        type: "create_lead" as const,
        routeId: "demo",
        stepId: "lead",
        fields: { fullName: "Retry Person", email: "retry@buyer.test" },
      };
      const io = { db, mailer: outboxMailer, appUrl: "http://app.test" };
      const first = await salesExecutor.run(command, context, io);
      const second = await salesExecutor.run(command, context, io);
      expect(first.status).toBe("done");
      expect(second).toEqual(first);
      expect(await leadsOf(conversationId)).toHaveLength(1);
      // Another tenant's conversation cannot reach this one's claim or lead.
      const other = await tenantWithWidget([leadRoute]);
      const foreign = await salesExecutor.run(
        { type: "assign", routeId: "demo", stepId: "assign" },
        {
          ...context,
          tenantId: other.tenantId,
          key: `${conversationId}:demo:assign:3`,
          leadId: (first as { leadId: string }).leadId,
        },
        io,
      );
      expect(foreign).toMatchObject({ status: "failed", permanent: true });
    } finally {
      await db.end();
    }
  });
});
