import { createFreshDatabase, dropDatabase, startLocalDatabase } from "@autopilot/db/local";
import { buildPlugin } from "@autopilot/sdk/build";
import { buildWidget } from "@autopilot/widget/build";
import type { TestProject } from "vitest/node";
import { startFakeEmail } from "../../../scripts/fakes/email.js";
import { startFakeHubSpot } from "../../../scripts/fakes/hubspot.js";
import { startFakePipedrive } from "../../../scripts/fakes/pipedrive.js";
import { startFakeTelegram } from "../../../scripts/fakes/telegram.js";
import { startFakeWhatsApp } from "../../../scripts/fakes/whatsapp.js";
import { startWebhookReceiver } from "../../../scripts/webhook-receiver.js";
import { startFakeChat } from "./fake-chat.js";
import { startFakeOpenAi } from "./fake-openai.js";
import { startKnowledgeSite } from "./knowledge-site.js";
import { startOutageProxy } from "./outage-proxy.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    bridgePort: number;
    databaseKind: string;
    fakeOpenAiUrl: string;
    knowledgeSiteUrl: string;
    outageBridge: string;
    outageControlUrl: string;
    fakeChatUrl: string;
    leadNotifyBundle: string;
    leadNotifyManifest: string;
    fakeTelegramUrl: string;
    telegramBundle: string;
    telegramManifest: string;
    fakeWhatsAppUrl: string;
    whatsappBundle: string;
    whatsappManifest: string;
    fakeEmailUrl: string;
    emailBundle: string;
    emailManifest: string;
    webhookReceiverUrl: string;
    fakeHubSpotUrl: string;
    hubspotBundle: string;
    hubspotManifest: string;
    fakePipedriveUrl: string;
    pipedriveBundle: string;
    pipedriveManifest: string;
  }
}

/** A first-party plugin, built by the SDK as a developer's would be: its bundle and manifest for the tests. */
async function provideBuilt(
  project: TestProject,
  dir: string,
  key: "leadNotify" | "telegram" | "whatsapp" | "email" | "hubspot" | "pipedrive",
) {
  const built = await buildPlugin(new URL(`../../../plugins/${dir}`, import.meta.url).pathname);
  project.provide(`${key}Bundle`, built.code);
  project.provide(`${key}Manifest`, JSON.stringify(built.manifest));
}

// Runs in Node before the workerd tests: starts the database and the bridge the worker talks to.
export default async function setup(project: TestProject) {
  // The worker imports the built widget (served as /widget.js).
  await buildWidget({ write: true });
  const serverUrl = process.env.DATABASE_URL;
  const name = `autopilot_test_${process.pid}_${Date.now()}`;
  const databaseUrl = serverUrl ? await createFreshDatabase(serverUrl, name) : undefined;
  const db = await startLocalDatabase({ databaseUrl });
  project.provide("databaseUrl", db.connectionString);
  project.provide("bridgePort", db.bridgePort);
  project.provide("databaseKind", db.kind);
  // Fakes for other companies' services are local servers speaking their wire protocol.
  const openai = await startFakeOpenAi();
  project.provide("fakeOpenAiUrl", openai.url);
  // The fixture website the knowledge crawler tests crawl.
  const site = await startKnowledgeSite();
  project.provide("knowledgeSiteUrl", site.url);
  // The fault test's database outage: a proxy to the same bridge it can cut.
  const outage = await startOutageProxy(db.bridgePort);
  project.provide("outageBridge", outage.bridge);
  project.provide("outageControlUrl", outage.controlUrl);
  // The first-party lead-notify plugin, built by the SDK's own build, and a chat tool it posts to.
  const chat = await startFakeChat();
  project.provide("fakeChatUrl", chat.url);
  await provideBuilt(project, "lead-notify", "leadNotify");
  // The first-party Telegram channel plugin and the Bot API it talks to.
  const telegram = await startFakeTelegram();
  project.provide("fakeTelegramUrl", telegram.url);
  await provideBuilt(project, "telegram", "telegram");
  // The first-party WhatsApp channel plugin and the Cloud API it talks to.
  const whatsapp = await startFakeWhatsApp();
  project.provide("fakeWhatsAppUrl", whatsapp.url);
  await provideBuilt(project, "whatsapp", "whatsapp");
  // The first-party email channel plugin and the Resend API it sends through.
  const email = await startFakeEmail();
  project.provide("fakeEmailUrl", email.url);
  await provideBuilt(project, "email", "email");
  // A workspace's own server, receiving its outbound webhooks.
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiverUrl", receiver.url);
  // The first-party HubSpot sync plugin and the CRM API it talks to.
  const hubspot = await startFakeHubSpot();
  project.provide("fakeHubSpotUrl", hubspot.url);
  await provideBuilt(project, "hubspot", "hubspot");
  // The first-party Pipedrive sync plugin and the CRM API it talks to.
  const pipedrive = await startFakePipedrive();
  project.provide("fakePipedriveUrl", pipedrive.url);
  await provideBuilt(project, "pipedrive", "pipedrive");
  console.log(`[global-setup] database: ${db.kind}${serverUrl ? ` (${name})` : " (in memory)"}`);
  return async () => {
    await openai.close();
    await chat.close();
    await telegram.close();
    await whatsapp.close();
    await email.close();
    await receiver.close();
    await hubspot.close();
    await pipedrive.close();
    await site.close();
    await outage.close();
    await db.close();
    if (serverUrl) await dropDatabase(serverUrl, name);
  };
}
