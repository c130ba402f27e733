import { env, runInDurableObject } from "cloudflare:test";
import { openDatabase } from "@autopilot/db";
import { describe, expect, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { signVisitorToken } from "../src/widget/visitor-token.js";
import {
  quoteRoute,
  say,
  startConversation,
  tenantWithWidget,
  texts,
  visitor,
} from "./conversation-helpers.js";
import { call, ownerDb } from "./helpers.js";

describe("widget conversations", () => {
  it("answers a visitor over HTTP with the offline provider and keeps the transcript", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    const res = await say(c, "how much does it cost?");
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(texts(res)).toEqual(["Happy to help with a quote!", "Which plan?"]);
    const ask = res.json.messages.at(-1);
    expect(ask.data.quickReplies).toEqual(["Basic", "Pro"]);
    const history = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    expect(history.json.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3]);
  });

  it("refuses forged, expired and malformed visitor tokens", async () => {
    const t = await tenantWithWidget([]);
    const c = await startConversation(t);
    const [body, sig] = c.token.split(".");
    const forgedBody = btoa(
      JSON.stringify({ t: t.tenantId, v: "v_attacker0000", k: crypto.randomUUID(), exp: 9999999999 }),
    )
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const wrongKey = await signVisitorToken("not-the-secret", {
      tenantId: t.tenantId,
      visitorId: c.visitorId,
      keyId: crypto.randomUUID(),
    });
    const expired = await signVisitorToken(
      env.VISITOR_TOKEN_SECRET,
      { tenantId: t.tenantId, visitorId: c.visitorId, keyId: crypto.randomUUID() },
      -5,
    );
    for (const token of [
      `${forgedBody}.${sig}`,
      `${body}.${sig}x`,
      wrongKey.token,
      expired.token,
      "garbage",
    ]) {
      const res = await call(`/v1/widget/conversations/${c.id}/messages`, {
        body: { text: "hi" },
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status, token).toBe(401);
    }
    const none = await call(`/v1/widget/conversations/${c.id}/messages`, { body: { text: "hi" } });
    expect(none.status).toBe(401);
    const bad = await call("/v1/widget/session", { body: { publicKey: "nope" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("publicKey");
  });

  it("keeps a conversation on its routes version after the routes change", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    expect((await say(c, "what are your prices")).json.messages.at(-1).text).toBe("Which plan?");
    const changed = { ...quoteRoute, steps: [{ id: "only", kind: "end", message: "Quotes are paused." }] };
    const put = await call("/v1/routes/quote", { method: "PUT", body: changed, headers: t.auth });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    // The old conversation finishes on the routes it began with…
    const next = await say(c, "Pro");
    expect(texts(next)).toEqual(["Thanks, we'll be in touch."]);
    expect(next.json.conversation.routesVersion).toBe(2);
    // …and a new one starts on the new version.
    const fresh = await startConversation(t);
    const reply = await say(fresh, "what are your prices");
    expect(texts(reply)).toEqual(["Quotes are paused."]);
    expect(reply.json.conversation.routesVersion).toBe(3);
  });

  it("takeover pauses the bot; hand back resumes it; notes stay internal", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    await say(c, "hello");
    const take = await call(`/v1/conversations/${c.id}/takeover`, { body: {}, headers: t.auth });
    expect(take.status, JSON.stringify(take.json)).toBe(200);
    expect(take.json.status).toBe("human");
    const quiet = await say(c, "how much does it cost?");
    expect(texts(quiet)).toEqual([]);
    const reply = await call(`/v1/conversations/${c.id}/reply`, {
      body: { text: "Hi, I'm Ada." },
      headers: t.auth,
    });
    expect(reply.status).toBe(200);
    await call(`/v1/conversations/${c.id}/notes`, { body: { text: "VIP customer" }, headers: t.auth });
    const seen = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    const visible = seen.json.messages.map((m: { text: string }) => m.text);
    expect(visible).toContain("Hi, I'm Ada.");
    expect(visible).not.toContain("VIP customer");
    const agentView = await call(`/v1/conversations/${c.id}`, { headers: t.auth });
    expect(agentView.json.messages.map((m: { text: string }) => m.text)).toContain("VIP customer");
    const back = await call(`/v1/conversations/${c.id}/handback`, { body: {}, headers: t.auth });
    expect(back.json.status).toBe("bot");
    expect(texts(await say(c, "how much does it cost?"))).toContain("Which plan?");
    const closed = await call(`/v1/conversations/${c.id}/close`, { body: {}, headers: t.auth });
    expect(closed.json.status).toBe("closed");
    const csat = await call(`/v1/widget/conversations/${c.id}/csat`, { body: { score: 5 }, headers: c.auth });
    expect(csat.json.csatScore).toBe(5);
  });

  it("one tenant can never read, join or post to another's conversation", async () => {
    const a = await tenantWithWidget([]);
    const b = await tenantWithWidget([]);
    const ca = await startConversation(a);
    await say(ca, "secret of tenant A");
    const vb = await visitor(b);
    const post = await call(`/v1/widget/conversations/${ca.id}/messages`, {
      body: { text: "hi" },
      headers: vb.auth,
    });
    expect(post.status).toBe(404);
    const read = await call(`/v1/widget/conversations/${ca.id}/messages`, { headers: vb.auth });
    expect(read.status).toBe(404);
    for (const path of ["", "/takeover", "/reply", "/notes", "/close"]) {
      const res = path
        ? await call(`/v1/conversations/${ca.id}${path}`, { body: { text: "x" }, headers: b.auth })
        : await call(`/v1/conversations/${ca.id}`, { headers: b.auth });
      expect(res.status, path).toBe(404);
    }
    const ws = await call(`/v1/widget/conversations/${ca.id}/ws?token=${vb.token}`, {
      headers: { upgrade: "websocket" },
    });
    expect(ws.status).toBe(404);
    // Another visitor of the same tenant cannot read it either.
    const va2 = await visitor(a);
    expect((await call(`/v1/widget/conversations/${ca.id}/messages`, { headers: va2.auth })).status).toBe(
      404,
    );
    // The inbox list and search are tenant-scoped by RLS.
    await runDrain(a.tenantId, ca.id);
    const listB = await call("/v1/conversations?q=secret", { headers: b.auth });
    expect(listB.json.conversations).toEqual([]);
    const listA = await call("/v1/conversations?q=secret", { headers: a.auth });
    expect(listA.json.conversations.map((c: { id: string }) => c.id)).toEqual([ca.id]);
  });
});

describe("routes config", () => {
  it("returns step-level errors as 422, versions every change and tries a message", async () => {
    const t = await tenantWithWidget([]);
    const bad = await call("/v1/routes", {
      body: { id: "r", name: "R", steps: [{ id: "a", kind: "say", text: "hi", next: "nowhere" }] },
      headers: t.auth,
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.errors[0]).toMatchObject({ stepId: "a", code: "dangling_next" });
    expect((await call("/v1/routes", { body: quoteRoute, headers: t.auth })).status).toBe(201);
    expect((await call("/v1/routes", { body: quoteRoute, headers: t.auth })).status).toBe(409);
    const list = await call("/v1/routes", { headers: t.auth });
    expect(list.json.version).toBe(1);
    const tried = await call("/v1/routes/try", { body: { text: "how much does it cost" }, headers: t.auth });
    expect(tried.json).toMatchObject({ version: 1, routeId: "quote" });
    expect(tried.json.confidence).toBeGreaterThan(0);
    expect(tried.json.reply).toContain("Which plan?");
    expect(tried.json).toMatchObject({ outcome: "playbook", routeName: "Get a quote" });
    // The same turn as the widget: a person asked for is a handoff, a question the knowledge base
    // answers is a knowledge answer with the reply the customer reads, an unknown one is unanswered.
    const human = await call("/v1/routes/try", { body: { text: "Can I talk to a human?" }, headers: t.auth });
    expect(human.json.outcome).toBe("handoff");
    expect(human.json.reply).toBeTruthy();
    const faq = await call("/v1/knowledge/sources", {
      body: {
        kind: "faq",
        name: "FAQ",
        pairs: [
          { question: "Do you ship to Canada?", answer: "Yes, we ship to Canada within 5 business days." },
        ],
      },
      headers: t.auth,
    });
    expect(faq.status, JSON.stringify(faq.json)).toBe(201);
    const known = await call("/v1/routes/try", { body: { text: "do you ship to canada" }, headers: t.auth });
    expect(known.json).toMatchObject({ outcome: "knowledge", routeId: null });
    expect(known.json.reply).toContain("Canada within 5 business days");
    const unknown = await call("/v1/routes/try", {
      body: { text: "do you sell submarines" },
      headers: t.auth,
    });
    expect(unknown.json.outcome).toBe("unanswered");
    const del = await call("/v1/routes/quote", { method: "DELETE", headers: t.auth });
    expect(del.json.version).toBe(2);
    expect((await call("/v1/routes/quote", { headers: t.auth })).status).toBe(404);
  });
});

describe("conversation durable object", () => {
  it("transcript survives a DO restart", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    await say(c, "how much does it cost?");
    const stub = conversationStub(env, t.tenantId, c.id);
    await runInDurableObject(stub, (_instance: ConversationDO, state) => {
      state.abort("restart for the test");
    }).catch(() => undefined);
    const after = await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth });
    expect(after.status).toBe(200);
    expect(after.json.messages).toHaveLength(3);
    // The engine state survived too: the route continues where it was.
    expect(texts(await say(c, "Pro"))).toEqual(["Thanks, we'll be in touch."]);
  });

  it("a failing queue and a failing database lose nothing; the outbox drains afterwards", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    const stub = conversationStub(env, t.tenantId, c.id);
    await runDrain(t.tenantId, c.id);
    const sent: unknown[] = [];
    await runInDurableObject(stub, (instance: ConversationDO) => {
      instance.sinks = {
        ...instance.sinks,
        database: () => {
          throw new Error("database down");
        },
        events: { sendBatch: () => Promise.reject(new Error("queue down")) },
      };
    });
    // Replies keep coming while both are down.
    for (const text of ["how much does it cost?", "Pro", "thanks"])
      expect((await say(c, text)).status).toBe(200);
    const pending = await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id });
    expect(pending.pending.find((p) => p.kind === "pg")?.count).toBeGreaterThan(0);
    expect(pending.pending.find((p) => p.kind === "event")?.count).toBeGreaterThan(0);
    // Both come back: the next drain delivers everything, once.
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      instance.sinks = {
        ...instance.sinks,
        database: () => ownerDb(),
        events: { sendBatch: async (b) => void sent.push(...b) },
      };
      await instance.drain(true);
    });
    expect((await stub.outboxStatus({ tenantId: t.tenantId, conversationId: c.id })).pending).toEqual([]);
    const db = ownerDb();
    try {
      const rows = await db.query<{ seq: number }>(
        "select seq from messages where conversation_id = $1 order by seq",
        [c.id],
      );
      const transcript = await call(`/v1/conversations/${c.id}`, { headers: t.auth });
      expect(rows.map((r) => r.seq)).toEqual(transcript.json.messages.map((m: { seq: number }) => m.seq));
      const conv = await db.query<{ message_count: number }>(
        "select message_count from conversations where id = $1",
        [c.id],
      );
      expect(conv[0]?.message_count).toBe(rows.length);
    } finally {
      await db.end();
    }
    const types = (sent as { body: { type: string } }[]).map((e) => e.body.type);
    expect(types.filter((x) => x === "message.received")).toHaveLength(3);
    expect(new Set((sent as { body: { id: string } }[]).map((e) => e.body.id)).size).toBe(sent.length);
  });
});

describe("a start while the database cannot answer", () => {
  /** A new conversation's DO whose database calls go to a closed port (they fail to connect), and its start. */
  async function unreachable(tenantId: string) {
    const id = crypto.randomUUID();
    const stub = conversationStub(env, tenantId, id);
    const down = new URL(env.DATABASE_URL);
    down.port = "9";
    await runInDurableObject(stub, (instance: ConversationDO) => {
      instance.sinks = {
        ...instance.sinks,
        database: () => openDatabase({ url: down.href, bridge: env.DB_BRIDGE }),
      };
    });
    const start = () => stub.start({ tenantId, conversationId: id, channel: "web", visitorId: "v-1" });
    return { id, stub, start };
  }

  it("starts with the tenant's last known configuration, and its records reach the database once it is back", async () => {
    const t = await tenantWithWidget();
    await startConversation(t); // this isolate now knows the tenant's configuration
    const { id, stub, start } = await unreachable(t.tenantId);
    const started = await start();
    expect(started, JSON.stringify(started)).toMatchObject({ id, status: "bot", visitorId: "v-1" });
    // The routes came from the known configuration: the quote route answers.
    const turn = await stub.visitorMessage({
      tenantId: t.tenantId,
      conversationId: id,
      visitorId: "v-1",
      text: "how much does it cost?",
    });
    expect(turn).toMatchObject({
      messages: expect.arrayContaining([expect.objectContaining({ text: "Which plan?" })]),
    });
    await runInDurableObject(stub, async (instance: ConversationDO) => {
      instance.sinks = { ...instance.sinks, database: () => ownerDb() };
      await instance.drain(true);
    });
    const db = ownerDb();
    try {
      const rows = await db.query<{ tenant_id: string; message_count: number }>(
        "select tenant_id, message_count from conversations where id = $1",
        [id],
      );
      expect(rows).toEqual([{ tenant_id: t.tenantId, message_count: 3 }]);
    } finally {
      await db.end();
    }
  });

  it("refuses, as unavailable, a tenant whose configuration was never read", async () => {
    const t = await tenantWithWidget();
    const { start } = await unreachable(t.tenantId);
    const refused = await start();
    expect(refused).toMatchObject({ refused: { code: "unavailable" } });
  });
});

async function runDrain(tenantId: string, id: string) {
  await runInDurableObject(conversationStub(env, tenantId, id), (instance: ConversationDO) =>
    instance.drain(),
  );
}

describe("inbox list", () => {
  it("names the customer, shows the lead's owner and counts what the member has not read", async () => {
    const t = await tenantWithWidget();
    const other = await tenantWithWidget();
    const c = await startConversation(t);
    await say(c, "hello there");
    await say(c, "anyone?");
    const drain = async () =>
      runInDurableObject(conversationStub(env, t.tenantId, c.id), async (instance: ConversationDO) => {
        await instance.drain(true);
      });
    await drain();
    const row = async (headers: Record<string, string>) =>
      ((await call("/v1/conversations", { headers })).json.conversations as Record<string, unknown>[]).find(
        (r) => r.id === c.id,
      );
    expect(await row(t.auth)).toMatchObject({ unread: 2, contactName: null, leadOwnerId: null });
    // Opening it reads it; a new visitor message is unread again.
    expect((await call(`/v1/conversations/${c.id}`, { headers: t.auth })).status).toBe(200);
    expect((await row(t.auth))?.unread).toBe(0);
    await say(c, "one more thing");
    await drain();
    expect((await row(t.auth))?.unread).toBe(1);
    // Another tenant's member cannot mark it read nor see it.
    expect((await call(`/v1/conversations/${c.id}`, { headers: other.auth })).status).toBe(404);
    expect(await row(other.auth)).toBeUndefined();

    // The lead this chat produced: its contact names the row, its owner owns it.
    const db = ownerDb();
    try {
      const lead = await call("/v1/leads", {
        body: { contact: { name: "Maya Chen", email: "maya@list.test" }, assign: false },
        headers: t.auth,
      });
      expect(lead.status).toBe(201);
      await db.query("update leads set conversation_id = $1, owner_id = $2 where id = $3", [
        c.id,
        t.userId,
        lead.json.id,
      ]);
      await db.query("update conversations set contact_id = $1 where id = $2", [lead.json.contactId, c.id]);
    } finally {
      await db.end();
    }
    expect(await row(t.auth)).toMatchObject({
      contactName: "Maya Chen",
      contactEmail: "maya@list.test",
      leadOwnerId: t.userId,
      assigneeId: null,
    });
  });
});
