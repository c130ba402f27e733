import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

const statusChanged = (from: string, to: string, contact?: string) => ({
  id: crypto.randomUUID(),
  tenantId: crypto.randomUUID(),
  time: new Date().toISOString(),
  actor: { type: "system", id: null },
  subjects: { lead: crypto.randomUUID(), ...(contact ? { contact } : {}) },
  type: "lead.status_changed",
  version: 1,
  properties: { from, to, reason: "budget confirmed" },
});

describe("lead-notify", () => {
  it("posts a lead that becomes SQL, with its contact, as Slack incoming-webhook JSON", async () => {
    const host = new TestHost(plugin, { webhookUrl: "https://hooks.slack.com/services/T/B/x" }).answer(
      () => new Response("ok"),
    );
    const contact = {
      id: crypto.randomUUID(),
      name: "Jane Doe",
      email: "jane@example.com",
      phone: null,
      tags: [],
      createdAt: "",
      updatedAt: "",
    };
    host.contacts.set(contact.id, contact);
    expect(await host.call({ kind: "event", event: statusChanged("mql", "sql", contact.id) })).toEqual({
      ok: true,
      value: null,
    });
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]?.url).toBe("https://hooks.slack.com/services/T/B/x");
    expect(JSON.parse(host.requests[0]?.body ?? "")).toEqual({
      text: "Jane Doe <jane@example.com> is now SQL: budget confirmed",
    });
    expect(host.logs).toEqual([
      { level: "info", message: "lead posted", data: expect.objectContaining({ status: "sql" }) },
    ]);
  });

  it("stays quiet below the minimum status and when moving on from a qualified one", async () => {
    const host = new TestHost(plugin, { webhookUrl: "https://hooks.slack.com/services/T/B/x" });
    await host.call({ kind: "event", event: statusChanged("new", "mql") });
    await host.call({ kind: "event", event: statusChanged("sql", "converted") });
    expect(host.requests).toEqual([]);
    const mql = new TestHost(plugin, {
      webhookUrl: "https://hooks.slack.com/x",
      minimumStatus: "mql",
    }).answer(() => new Response("ok"));
    await mql.call({ kind: "event", event: statusChanged("qualifying", "mql") });
    expect(mql.requests).toHaveLength(1);
  });

  it("fails (so the platform retries) when the chat tool refuses", async () => {
    const host = new TestHost(plugin, { webhookUrl: "https://hooks.slack.com/x" }).answer(
      () => new Response("no", { status: 500 }),
    );
    expect(await host.call({ kind: "event", event: statusChanged("mql", "sql") })).toEqual({
      ok: false,
      error: { code: "plugin_error", message: "the chat webhook answered 500" },
    });
  });
});
