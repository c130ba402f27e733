import { env } from "cloudflare:test";
import { openDatabase, withTenant } from "@autopilot/db";
import { type AppEvent, eventSchema } from "@autopilot/sdk";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type EventProducer, flushOutbox } from "../src/events/outbox.js";
import { sendPendingEvents } from "../src/events/sender.js";
import { createLogger } from "../src/lib/log.js";
import { inlineMarkdown } from "../src/routes/docs.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

const failingQueue: EventProducer = {
  sendBatch: async () => {
    throw new Error("queue unavailable");
  },
};

/** Forwards to the real Queue binding and remembers what went through. */
function recordingQueue() {
  const sent: AppEvent[] = [];
  const producer: EventProducer = {
    async sendBatch(messages) {
      await env.EVENTS.sendBatch(messages);
      sent.push(...messages.map((m) => m.body));
    },
  };
  return { sent, producer };
}

async function outboxRows(tenantId: string) {
  const db = ownerDb();
  const rows = await db.query<{
    type: string;
    created_at: Date | string;
    sent_at: Date | null;
    attempts: number;
    last_error: string | null;
    event: unknown;
  }>(
    "select type, created_at, sent_at, attempts, last_error, event from outbox where tenant_id = $1 order by created_at",
    [tenantId],
  );
  await db.end();
  return rows;
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  let value = await fn();
  while (!ok(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    value = await fn();
  }
  return value;
}

describe("event outbox", () => {
  it("API changes write valid events in the same transaction, sent to the queue after the response", async () => {
    const s = await signup();
    const key = await createKey(s);
    await call(`/v1/api-keys/${key.id}`, { method: "DELETE", headers: s.auth });
    const rows = await waitFor(
      () => outboxRows(s.tenantId),
      (r) => r.length === 4 && r.every((x) => x.sent_at !== null),
    );
    // In the order of their transactions; events of one transaction (sign-up's two) share created_at.
    const byTransaction = new Map<string, string[]>();
    for (const r of rows) {
      const at = new Date(r.created_at).toISOString();
      byTransaction.set(at, [...(byTransaction.get(at) ?? []), r.type].sort());
    }
    expect([...byTransaction.values()]).toEqual([
      ["tenant.created", "user.joined"],
      ["api_key.created"],
      ["api_key.revoked"],
    ]);
    for (const r of rows) {
      expect(eventSchema.safeParse(r.event).success).toBe(true);
      expect(r.sent_at).not.toBeNull();
    }
  });

  it("a failed change writes no event", async () => {
    const s = await signup();
    const viewer = await createKey(s, "viewer");
    await call("/v1/api-keys", { body: { name: "denied" }, headers: bearer(viewer.secret) });
    const rows = await waitFor(
      () => outboxRows(s.tenantId),
      (r) => r.every((x) => x.sent_at !== null),
    );
    // Events of one transaction share created_at: compared as a set.
    expect(rows.map((r) => r.type).sort()).toEqual(["api_key.created", "tenant.created", "user.joined"]);
  });

  it("an event whose queue send fails stays pending and is delivered by a later sweep", async () => {
    const s = await signup();
    await waitFor(
      () => outboxRows(s.tenantId),
      (r) => r.every((x) => x.sent_at !== null),
    );
    // A change made while the queue is down: written to the outbox, the send fails.
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    const eventId = crypto.randomUUID();
    await withTenant(db, s.tenantId, (tx) =>
      tx.execute(sql`insert into outbox (id, tenant_id, type, event) values (${eventId}, ${s.tenantId}, 'api_key.revoked',
        ${JSON.stringify({ id: eventId, tenantId: s.tenantId, time: new Date().toISOString(), actor: { type: "system", id: null }, subjects: {}, type: "api_key.revoked", version: 1, properties: { name: "k" } })}::jsonb)`),
    );
    expect(await flushOutbox(db, s.tenantId, failingQueue)).toEqual({ sent: 0, failed: 1 });
    let pending = (await outboxRows(s.tenantId)).filter((r) => r.sent_at === null);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ attempts: 1, last_error: "Error: queue unavailable" });

    // Queue back: the cron's sweep delivers it, once.
    const queue = recordingQueue();
    const sent = await sendPendingEvents(db, queue.producer, createLogger({ test: "outbox" }));
    await db.end();
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(queue.sent.filter((e) => e.id === eventId)).toHaveLength(1);
    pending = (await outboxRows(s.tenantId)).filter((r) => r.sent_at === null);
    expect(pending).toEqual([]);
  });
});

describe("system routes", () => {
  it("serves /health, the OpenAPI document and the docs page", async () => {
    expect((await call("/health")).json).toEqual({ status: "ok", database: "ok" });
    const spec = await call("/v1/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.json.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/auth/signup",
      "/v1/auth/login",
      "/v1/me",
      "/v1/members/invites",
      "/v1/api-keys/{id}",
      "/health",
    ]) {
      expect(Object.keys(spec.json.paths)).toContain(path);
    }
    expect(
      spec.json.paths["/v1/auth/signup"].post.requestBody.content["application/json"].schema.required,
    ).toContain("password");
    const docs = await call("/docs");
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
    expect(docs.json).toContain("/v1/api-keys");
    // Markdown in the texts renders: no raw backticks, code as <code>; descriptions are shown.
    expect(docs.json).toContain("<code>Authorization: Bearer ak_…</code>");
    expect(docs.json).toContain("The deal goes to the default pipeline");
    const text = String(docs.json).replace(/<pre>[\s\S]*?<\/pre>/g, "");
    expect(text).not.toMatch(/`/);
    // Escaped before anything is interpreted: a text can never inject markup.
    expect(inlineMarkdown("<img src=x onerror=alert(1)> `a<b>` **c**")).toBe(
      "&#60;img src=x onerror=alert(1)&#62; <code>a&#60;b&#62;</code> <strong>c</strong>",
    );
  });

  it("a request id is returned on every response", async () => {
    const res = await call("/v1/nothing");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
