import { env } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../src/lib/log.js";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { deliver, MAX_DELIVERY_RETRIES } from "../src/plugins/deliveries.js";
import type { DeliveryMessage } from "../src/plugins/fan-out.js";
import { createInstall, getInstall } from "../src/plugins/installs.js";
import { invokePlugin } from "../src/plugins/invoke.js";
import { call, ownerDb, signup } from "./helpers.js";

// The first-party lead-notify plugin (plugins/lead-notify), built by the SDK's build as a developer's
// would be, running in the sandbox: its ctx.contacts goes through the host's capability, its post
// through the egress gateway to a local chat tool (loopback is allowed in local development only).

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

/** lead-notify, as the SDK built it, installed in the workspace with everything it asks granted. */
async function installLeadNotify(tenantId: string, config: Record<string, unknown>) {
  const manifest = JSON.parse(inject("leadNotifyManifest"));
  return createInstall(
    db,
    tenantId,
    {
      manifest,
      bundleSha256: await putBundle(env, inject("leadNotifyBundle")),
      grant: { permissions: manifest.permissions, hosts: manifest.egress },
      config,
    },
    env.AI_MASTER_KEY,
  );
}

/** A lead.status_changed event, mql → sql. */
const becameSql = (tenantId: string, subjects: Record<string, string>, reason: string | null) => ({
  id: crypto.randomUUID(),
  tenantId,
  time: new Date().toISOString(),
  actor: { type: "system", id: null },
  subjects: { lead: crypto.randomUUID(), ...subjects },
  type: "lead.status_changed",
  version: 1,
  properties: { from: "mql", to: "sql", reason },
});

describe("lead-notify in the sandbox", () => {
  it("posts a lead that becomes SQL to the chat webhook, naming its contact", async () => {
    const s = await signup("Notify Co");
    const hook = `${inject("fakeChatUrl")}/services/T1/B1/${crypto.randomUUID()}`;
    const install = await installLeadNotify(s.tenantId, { webhookUrl: hook, minimumStatus: "sql" });
    const contact = await call("/v1/contacts", {
      body: { name: "Jane Doe", email: "jane@example.com" },
      headers: s.auth,
    });
    expect(contact.status).toBe(201);
    const event = becameSql(s.tenantId, { contact: contact.json.id }, "budget confirmed");
    // Run as deliveries do: with the secret settings opened (the created record holds none).
    const running = await getInstall(db, s.tenantId, install.id, env.AI_MASTER_KEY);
    const out = await invokePlugin({ env, db, mailer: outboxMailer }, running, { kind: "event", event });
    expect(out, JSON.stringify(out)).toMatchObject({ ok: true });
    const received = (await (await fetch(`${inject("fakeChatUrl")}/received`)).json()) as {
      path: string;
      body: unknown;
    }[];
    expect(received.filter((r) => hook.endsWith(r.path))).toEqual([
      {
        path: new URL(hook).pathname,
        body: { text: "Jane Doe <jane@example.com> is now SQL: budget confirmed" },
      },
    ]);
  });

  it("a lead moved to SQL in the API reaches the installed plugin through the queues, once", async () => {
    const s = await signup("Notify Live");
    const hook = `${inject("fakeChatUrl")}/services/T2/B2/${crypto.randomUUID()}`;
    const install = await installLeadNotify(s.tenantId, { webhookUrl: hook });
    const lead = await call("/v1/leads", {
      body: { contact: { name: "Ola Nordmann", email: "ola@example.com" }, title: "Fleet" },
      headers: s.auth,
    });
    expect(lead.status).toBe(201);
    const sql = await call(`/v1/leads/${lead.json.id}`, {
      method: "PATCH",
      body: { status: "sql" },
      headers: s.auth,
    });
    expect(sql.status).toBe(200);
    const posted = async () => {
      const all = (await (await fetch(`${inject("fakeChatUrl")}/received`)).json()) as {
        path: string;
        body: { text: string };
      }[];
      return all.filter((r) => r.path === new URL(hook).pathname).map((r) => r.body.text);
    };
    await expect
      .poll(posted, { timeout: 20_000, interval: 200 })
      .toEqual([expect.stringMatching(/^Ola Nordmann <ola@example\.com> is now SQL/)]);
    // The queue delivering the same event again changes nothing: the delivery is done.
    const deliveryRow = async () =>
      (
        await db.query<{ event: DeliveryMessage["event"]; status: string; attempts: number }>(
          "select event, status, attempts from plugin_deliveries where tenant_id = $1 and install_id = $2",
          [s.tenantId, install.id],
        )
      )[0];
    await expect
      .poll(async () => (await deliveryRow())?.status, { timeout: 10_000, interval: 100 })
      .toBe("done");
    const row = await deliveryRow();
    expect(row).toMatchObject({ status: "done", attempts: 1 });
    const again = fakeMessage(
      { tenantId: s.tenantId, installId: install.id, event: row?.event as DeliveryMessage["event"] },
      1,
    );
    await deliver(env, db, again, createLogger({ test: "redelivery" }));
    expect(again.outcome).toBe("ack");
    expect(await posted()).toHaveLength(1);
  });

  it("a failing delivery is retried with backoff, and after the last try is a dead letter", async () => {
    const s = await signup("Notify Down");
    const install = await installLeadNotify(s.tenantId, {
      webhookUrl: `${inject("fakeChatUrl")}/services/down`,
    });
    await fetch(`${inject("fakeChatUrl")}/fail-next`, { method: "POST", body: "2" });
    const event = becameSql(s.tenantId, {}, null);
    const body = { tenantId: s.tenantId, installId: install.id, event };
    const first = fakeMessage(body, 1);
    await deliver(env, db, first, createLogger({ test: "retry" }));
    expect(first.outcome).toEqual({ retry: 10 });
    const last = fakeMessage(body, MAX_DELIVERY_RETRIES + 1);
    await deliver(env, db, last, createLogger({ test: "dead" }));
    expect(last.outcome).toBe("ack");
    const [row] = await db.query<{ status: string; last_error: string }>(
      "select status, last_error from plugin_deliveries where install_id = $1 and event_id = $2",
      [install.id, event.id],
    );
    expect(row).toEqual({
      status: "dead",
      last_error: expect.stringMatching(/the chat webhook answered 500/),
    });
    // An admin sees it among the dead and delivers it again: the queue runs it, once, and it is done.
    const dead = await call(`/v1/plugins/installs/${install.id}/deliveries?status=dead`, { headers: s.auth });
    expect(dead.json.deliveries).toEqual([
      expect.objectContaining({ eventId: event.id, eventType: "lead.status_changed" }),
    ]);
    const replay = await call(`/v1/plugins/installs/${install.id}/deliveries/${event.id}/replay`, {
      body: {},
      headers: s.auth,
    });
    expect(replay.status).toBe(202);
    const status = async () =>
      (
        await db.query<{ status: string }>(
          "select status from plugin_deliveries where install_id = $1 and event_id = $2",
          [install.id, event.id],
        )
      )[0]?.status;
    await expect.poll(status, { timeout: 15_000, interval: 200 }).toBe("done");
    const again = await call(`/v1/plugins/installs/${install.id}/deliveries/${event.id}/replay`, {
      body: {},
      headers: s.auth,
    });
    expect(again.status).toBe(404); // only dead deliveries are replayed
  });
});

/** A queue message as the consumer sees it, recording what the consumer did with it. */
function fakeMessage(body: unknown, attempts: number) {
  const m = {
    id: crypto.randomUUID(),
    body,
    attempts,
    outcome: null as null | "ack" | { retry: number | undefined },
    ack() {
      m.outcome = "ack";
    },
    retry(options?: { delaySeconds?: number }) {
      m.outcome = { retry: options?.delaySeconds };
    },
  };
  return m;
}
