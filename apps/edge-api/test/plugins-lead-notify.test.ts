import { env } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall } from "../src/plugins/installs.js";
import { invokePlugin } from "../src/plugins/invoke.js";
import { call, ownerDb, signup } from "./helpers.js";

// The first-party lead-notify plugin (plugins/lead-notify), built by the SDK's build as a developer's
// would be, running in the sandbox: its ctx.contacts goes through the host's capability, its post
// through the egress gateway to a local chat tool (loopback is allowed in local development only).

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

describe("lead-notify in the sandbox", () => {
  it("posts a lead that becomes SQL to the chat webhook, naming its contact", async () => {
    const s = await signup("Notify Co");
    const manifest = JSON.parse(inject("leadNotifyManifest"));
    const sha = await putBundle(env, inject("leadNotifyBundle"));
    const hook = `${inject("fakeChatUrl")}/services/T1/B1/${crypto.randomUUID()}`;
    const install = await createInstall(db, s.tenantId, {
      manifest,
      bundleSha256: sha,
      grant: { permissions: manifest.permissions, hosts: manifest.egress },
      config: { webhookUrl: hook, minimumStatus: "sql" },
    });
    const contact = await call("/v1/contacts", {
      body: { name: "Jane Doe", email: "jane@example.com" },
      headers: s.auth,
    });
    expect(contact.status).toBe(201);
    const event = {
      id: crypto.randomUUID(),
      tenantId: s.tenantId,
      time: new Date().toISOString(),
      actor: { type: "system", id: null },
      subjects: { lead: crypto.randomUUID(), contact: contact.json.id },
      type: "lead.status_changed",
      version: 1,
      properties: { from: "mql", to: "sql", reason: "budget confirmed" },
    };
    const out = await invokePlugin({ env, db, mailer: outboxMailer }, install, { kind: "event", event });
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
});
