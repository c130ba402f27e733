import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, inject, it } from "vitest";
import { pruneLogs } from "../src/domain/log-retention.js";
import { createLogger } from "../src/lib/log.js";
import { nextStep, WEBHOOK_RETRY_SECONDS } from "../src/webhooks/deliveries.js";
import { until } from "./channel-helpers.js";
import { call, ownerDb, type Session, signup } from "./helpers.js";

// Outbound webhooks in workerd: endpoints per workspace, events delivered through the events queue and
// the webhook-deliveries queue to a local receiver, every request verified with the `standardwebhooks`
// library (not with our own code), retries on the schedule, 410 disabling the endpoint, a rotated
// secret verifying with both keys during the overlap, the delivery log and redelivery.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const receiver = inject("webhookReceiverUrl");
type Received = { path: string; headers: Record<string, string>; body: string; at: number };
const received = async (path: string) =>
  (await (await fetch(`${receiver}/requests?path=${encodeURIComponent(path)}`)).json()) as Received[];
const receivedAtLeast = (path: string, count: number, seconds = 20) =>
  until(
    () => received(path),
    (got) => got.length >= count,
    seconds,
  );
const answerWith = (path: string, statuses: number[]) =>
  fetch(`${receiver}/control`, { method: "POST", body: JSON.stringify({ path, statuses }) });

const verifies = (secret: string, r: Received) => {
  try {
    new Webhook(secret).verify(r.body, r.headers);
    return true;
  } catch {
    return false;
  }
};

type Endpoint = { id: string; secret: string; status: string; disabledReason: string | null };

async function endpoint(s: Session, path: string, eventTypes?: string[]): Promise<Endpoint> {
  const res = await call("/v1/webhooks", {
    body: { url: `${receiver}${path}`, description: "CRM sync", ...(eventTypes ? { eventTypes } : {}) },
    headers: s.auth,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as Endpoint;
}

const newLead = (s: Session, email: string) =>
  call("/v1/leads", { body: { contact: { email } }, headers: s.auth });

let paths = 0;
const freshPath = () => `/hooks/${Date.now()}-${++paths}`;

describe("outbound webhooks", () => {
  it("refuses bad endpoints with the field named, and keeps each workspace's endpoints its own", async () => {
    const a = await signup("Hooks A");
    const b = await signup("Hooks B");
    const bad = await call("/v1/webhooks", { body: { url: "ftp://example.com/x" }, headers: a.auth });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^url: /);
    const unknownType = await call("/v1/webhooks", {
      body: { url: "https://example.com/x", eventTypes: ["lead.exploded"] },
      headers: a.auth,
    });
    expect(unknownType.status).toBe(400);
    expect(JSON.stringify(unknownType.json)).toContain("eventTypes");
    const ep = await endpoint(a, freshPath());
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect((await call("/v1/webhooks", { headers: a.auth })).json.endpoints).toHaveLength(1);
    // The list never shows the secret again.
    expect(JSON.stringify((await call("/v1/webhooks", { headers: a.auth })).json)).not.toContain("whsec_");
    // Another workspace cannot see, change, test or remove it.
    expect((await call("/v1/webhooks", { headers: b.auth })).json.endpoints).toEqual([]);
    expect((await call(`/v1/webhooks/${ep.id}`, { headers: b.auth })).status).toBe(404);
    expect(
      (await call(`/v1/webhooks/${ep.id}`, { method: "PATCH", body: { enabled: false }, headers: b.auth }))
        .status,
    ).toBe(404);
    expect((await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: b.auth })).status).toBe(404);
    expect((await call(`/v1/webhooks/${ep.id}/rotate-secret`, { body: {}, headers: b.auth })).status).toBe(
      404,
    );
    expect((await call(`/v1/webhooks/${ep.id}`, { method: "DELETE", headers: b.auth })).status).toBe(404);
    expect((await call(`/v1/webhooks/${ep.id}`, { headers: a.auth })).status).toBe(200);
    // Only admins manage webhooks; no credentials, nothing at all.
    const agentKey = await call("/v1/api-keys", { body: { name: "agent", role: "agent" }, headers: a.auth });
    const asAgent = { authorization: `Bearer ${agentKey.json.secret}` };
    expect((await call("/v1/webhooks", { headers: asAgent })).status).toBe(403);
    expect(
      (await call("/v1/webhooks", { body: { url: "https://example.com/x" }, headers: asAgent })).status,
    ).toBe(403);
    expect((await call("/v1/webhooks")).status).toBe(401);
  });

  it("delivers the events an endpoint takes, signed as Standard Webhooks says", async () => {
    const s = await signup("Hooks Deliver");
    const all = freshPath();
    const dealsOnly = freshPath();
    const ep = await endpoint(s, all, ["lead.created"]);
    await endpoint(s, dealsOnly, ["deal.won"]);
    expect((await newLead(s, "hook@lead.test")).status).toBe(201);
    const [request] = await receivedAtLeast(all, 1);
    expect(request).toBeDefined();
    if (!request) return;
    // Verified by the library receivers use.
    expect(verifies(ep.secret, request)).toBe(true);
    expect(request.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(Number(request.headers["webhook-timestamp"])).toBeGreaterThan(Date.now() / 1000 - 60);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ type: "lead.created", data: { properties: expect.any(Object) } });
    // A tampered body, or another secret, does not verify.
    expect(verifies(ep.secret, { ...request, body: request.body.replace("lead", "deal") })).toBe(false);
    expect(verifies(`whsec_${btoa("x".repeat(32))}`, request)).toBe(false);
    // The deal-only endpoint got nothing.
    expect(await received(dealsOnly)).toEqual([]);
    // The log lists it with its try.
    const log = await call(`/v1/webhooks/${ep.id}/deliveries`, { headers: s.auth });
    expect(log.json.deliveries).toHaveLength(1);
    expect(log.json.deliveries[0]).toMatchObject({
      eventType: "lead.created",
      status: "succeeded",
      attempts: 1,
      lastStatusCode: 200,
    });
  });

  it("retries a failed delivery on the schedule, and logs each try", async () => {
    expect(WEBHOOK_RETRY_SECONDS).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => nextStep({ statusCode: 503 }, n).delaySeconds)).toEqual([
      ...WEBHOOK_RETRY_SECONDS,
    ]);
    expect(nextStep({ statusCode: 503 }, 8)).toMatchObject({
      status: "failed",
      disable: expect.stringContaining("every try"),
    });
    expect(nextStep({ statusCode: null }, 1)).toEqual({ status: "retrying", delaySeconds: 5 });
    expect(nextStep({ statusCode: 204 }, 3)).toEqual({ status: "succeeded" });

    const s = await signup("Hooks Retry");
    const path = freshPath();
    await answerWith(path, [500]);
    // Only the test event reaches it (a test ignores the filter; the workspace's own events do not).
    const ep = await endpoint(s, path, ["deal.won"]);
    const test = await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    expect(test.status).toBe(202);
    const [first, second] = await receivedAtLeast(path, 2, 25);
    expect(first && second).toBeTruthy();
    if (!first || !second) return;
    // The second try came after the first wait (5 s), with the same webhook-id.
    expect(second.at - first.at).toBeGreaterThanOrEqual(4500);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(verifies(ep.secret, second)).toBe(true);
    const detail = await until(
      async () => (await call(`/v1/webhooks/${ep.id}/deliveries/${test.json.id}`, { headers: s.auth })).json,
      (d) => d.status === "succeeded",
    );
    expect(detail.tries.map((t: { statusCode: number }) => t.statusCode)).toEqual([500, 200]);
    expect(detail.tries[0]).toMatchObject({ attempt: 1, responseExcerpt: "answered 500 on purpose" });
    expect(detail.tries[0].request.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(detail.tries[1].latencyMs).toBeGreaterThanOrEqual(0);
    expect(detail.payload).toMatchObject({ type: "webhook.test" });

    // Redelivered from the log: sent again, with the same id.
    const again = await call(`/v1/webhooks/${ep.id}/deliveries/${test.json.id}/redeliver`, {
      method: "POST",
      headers: s.auth,
    });
    expect(again.status).toBe(202);
    const third = (await receivedAtLeast(path, 3))[2];
    expect(third?.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
  }, 45_000);

  it("disables an endpoint that answers 410, and tells the admins", async () => {
    const s = await signup("Hooks Gone");
    const path = freshPath();
    await answerWith(path, [410]);
    const ep = await endpoint(s, path, ["lead.created"]);
    await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    const disabled = await until(
      async () => (await call(`/v1/webhooks/${ep.id}`, { headers: s.auth })).json as Endpoint,
      (e) => e.status === "disabled",
    );
    expect(disabled.disabledReason).toBe("the endpoint answered 410 Gone");
    const told = await until(
      () =>
        db.query<{ subject: string }>(
          `select subject from mail_outbox where tenant_id = $1 and subject like 'Webhook endpoint disabled%'`,
          [s.tenantId],
        ),
      (rows) => rows.length > 0,
    );
    expect(told[0]?.subject).toBe(`Webhook endpoint disabled: ${receiver}${path}`);
    // Nothing more goes to it; a test or redelivery is refused until it is enabled again.
    await newLead(s, "after-gone@lead.test");
    expect((await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await received(path)).toHaveLength(1);
    const enabled = await call(`/v1/webhooks/${ep.id}`, {
      method: "PATCH",
      body: { enabled: true },
      headers: s.auth,
    });
    expect(enabled.json).toMatchObject({ status: "active", disabledReason: null });
  });

  it("signs with both secrets during a rotation's overlap, and only the new one after", async () => {
    const s = await signup("Hooks Rotate");
    const path = freshPath();
    const ep = await endpoint(s, path, ["deal.won"]);
    const rotated = await call(`/v1/webhooks/${ep.id}/rotate-secret`, {
      body: { overlapHours: 24 },
      headers: s.auth,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).not.toBe(ep.secret);
    expect(rotated.json.previousSecretUntil).toBeTruthy();
    await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    const [overlap] = await receivedAtLeast(path, 1);
    if (!overlap) throw new Error("nothing received");
    expect(overlap.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verifies(ep.secret, overlap)).toBe(true);
    expect(verifies(rotated.json.secret, overlap)).toBe(true);

    const now = await call(`/v1/webhooks/${ep.id}/rotate-secret`, {
      body: { overlapHours: 0 },
      headers: s.auth,
    });
    await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    const after = (await receivedAtLeast(path, 2))[1];
    if (!after) throw new Error("nothing received");
    expect(verifies(now.json.secret, after)).toBe(true);
    expect(verifies(rotated.json.secret, after)).toBe(false);
    expect(verifies(ep.secret, after)).toBe(false);
  });

  it("keeps the delivery log 30 days", async () => {
    const s = await signup("Hooks Prune");
    const path = freshPath();
    const ep = await endpoint(s, path, ["deal.won"]);
    const old = await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    const recent = await call(`/v1/webhooks/${ep.id}/test`, { method: "POST", headers: s.auth });
    await receivedAtLeast(path, 2);
    await until(
      async () =>
        (await call(`/v1/webhooks/${ep.id}/deliveries?status=succeeded`, { headers: s.auth })).json
          .deliveries,
      (d: unknown[]) => d.length === 2,
    );
    await db.query("update webhook_deliveries set created_at = now() - interval '31 days' where id = $1", [
      old.json.id,
    ]);
    const pruned = await pruneLogs(db, createLogger({}));
    expect(pruned.deliveries).toBeGreaterThanOrEqual(1);
    const left = (await call(`/v1/webhooks/${ep.id}/deliveries`, { headers: s.auth })).json.deliveries as {
      id: string;
    }[];
    expect(left.map((d) => d.id)).toEqual([recent.json.id]);
    // Its tries went with it.
    expect(await db.query("select 1 from webhook_attempts where delivery_id = $1", [old.json.id])).toEqual(
      [],
    );
  });
});
