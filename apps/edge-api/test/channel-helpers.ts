import { env } from "cloudflare:test";
import { channelThreads, type Database, withTenant } from "@autopilot/db";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall } from "../src/plugins/installs.js";
import { setUpInstall } from "../src/plugins/setup.js";
import { call, type Session } from "./helpers.js";

// What the channel plugins' workerd tests share: a first-party channel plugin (built by the SDK in
// global-setup) installed with everything it asks granted and set up as the API would, the
// conversation a provider thread became, and a conversation's transcript as agents see it.

/** Installs a built plugin (its manifest JSON and bundle) in the workspace and runs its set-up. */
export async function installBuilt(
  db: Database,
  s: Session,
  built: { manifest: string; bundle: string },
  config: Record<string, unknown>,
): Promise<string> {
  const manifest = JSON.parse(built.manifest);
  const install = await createInstall(
    db,
    s.tenantId,
    {
      manifest,
      bundleSha256: await putBundle(env, built.bundle),
      grant: { permissions: manifest.permissions, hosts: manifest.egress },
      config,
    },
    env.AI_MASTER_KEY,
  );
  await setUpInstall({ env, db, mailer: outboxMailer }, s.tenantId, install.id, "https://api.autopilot.test");
  return install.id;
}

/** The conversation a provider's thread became in this install, if any. */
export async function conversationOfThread(db: Database, s: Session, installId: string, threadId: string) {
  const rows = await withTenant(db, s.tenantId, (tx) => tx.select().from(channelThreads));
  return rows.find((r) => r.installId === installId && r.threadId === threadId);
}

export const transcript = async (s: Session, id: string) =>
  (await call(`/v1/conversations/${id}`, { headers: s.auth })).json as {
    conversation: { channel: string };
    messages: { sender: string; text: string; data: Record<string, unknown> }[];
  };

/** Polls `read` until `done` holds or `seconds` pass; the last value either way. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  seconds = 15,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let value = await read();
  for (let tries = 1; !done(value) && Date.now() < deadline && tries < seconds * 10; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** A playbook that asks for an email and makes a lead: how a channel's customer becomes one. */
export const quoteRoute = {
  id: "quote",
  name: "Get a quote",
  description: "Customer wants pricing or a quote",
  examples: ["I want a quote", "how much does it cost", "pricing please", "send me a quote"],
  steps: [
    {
      id: "ask_email",
      kind: "ask",
      prompt: "Which email should the quote go to?",
      field: { name: "email", label: "Email", type: "email" },
      next: "lead",
    },
    { id: "lead", kind: "action", action: { type: "create_lead" }, next: "done" },
    { id: "done", kind: "end", message: "Thanks, a quote is on its way." },
  ],
};
