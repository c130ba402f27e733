// Issue 21's sync figures, through Miniflare: each first-party CRM sync plugin (plugins/hubspot,
// plugins/pipedrive) installed through the API, syncing a workspace and a local fake of the provider
// (scripts/fakes/*, their wire and rate limits) both ways: contacts, and companies with a deal each
// (the deal pointing at its company); the backfill's records per second (pulled + pushed, run after
// run of "Sync now" until both sides are done, waiting out any 429 pause), then the median time of a
// run that has nothing to do.
import { join } from "node:path";
import { buildPlugin } from "@autopilot/sdk/build";
import { startFakeHubSpot } from "../fakes/hubspot.js";
import { startFakePipedrive } from "../fakes/pipedrive.js";
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { percentile, round } from "./stats.js";
import { NO_WIDGET_LIMITS, startBenchWorker } from "./worker.js";

const EACH_SIDE = Number(process.env.SYNC_RECORDS ?? 300);
/** Companies on each side, each with one deal. */
const OBJECTS = Number(process.env.SYNC_OBJECTS ?? 100);
const MAX_RUNS = 500;
const MAX_SECONDS = 600;
const NOOP_RUNS = 10;

type Provider = {
  dir: string;
  start: () => Promise<{ url: string; close: () => Promise<void> }>;
  config: (token: string, url: string) => Record<string, unknown>;
  token: () => string;
  seed: (url: string, token: string, i: number) => Promise<Response>;
  /** A company and a deal of it, as someone working in the provider would add them. */
  seedObjects: (url: string, token: string, i: number) => Promise<void>;
  limits: string;
};
const phone = (i: number) => `+4420794${String(i).padStart(5, "0")}`;
const PROVIDERS: Record<string, Provider> = {
  hubspot: {
    dir: "hubspot",
    start: () => startFakeHubSpot(),
    config: (accessToken, apiBaseUrl) => ({ accessToken, apiBaseUrl }),
    token: () => `pat-bench-${Date.now()}`,
    seed: (url, token, i) =>
      fetch(`${url}/_control/contacts`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          email: `hub${i}@bench.test`,
          firstname: "Hub",
          lastname: `${i}`,
          phone: phone(i),
        }),
      }),
    async seedObjects(url, token, i) {
      const post = async (path: string, body: unknown) =>
        (await (
          await fetch(`${url}${path}`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          })
        ).json()) as { id: string };
      const co = await post("/_control/companies", { name: `Hub Co ${i}`, domain: `hubco${i}.test` });
      const deal = await post("/_control/deals", {
        dealname: `Hub deal ${i}`,
        amount: "100",
        dealstage: "qualifiedtobuy",
      });
      await post("/_control/associations", { from: "deals", id: deal.id, to: "companies", toId: co.id });
    },
    limits: "batch writes of a page, associations in batches; no rate limit unless forced",
  },
  pipedrive: {
    dir: "pipedrive",
    start: () => startFakePipedrive(),
    config: (apiToken, apiBaseUrl) => ({ apiToken, apiBaseUrl }),
    token: () => `pd-bench-${Date.now()}`,
    seed: (url, token, i) =>
      fetch(`${url}/_control/persons`, {
        method: "POST",
        headers: { "x-api-token": token, "content-type": "application/json" },
        body: JSON.stringify({
          name: `Drive ${i}`,
          emails: [{ value: `drive${i}@bench.test`, primary: true }],
          phones: [{ value: phone(i), primary: true }],
        }),
      }),
    async seedObjects(url, token, i) {
      const post = async (path: string, body: unknown) =>
        (
          (await (
            await fetch(`${url}${path}`, {
              method: "POST",
              headers: { "x-api-token": token, "content-type": "application/json" },
              body: JSON.stringify(body),
            })
          ).json()) as { data: { id: number } }
        ).data;
      const org = await post("/_control/organizations", { name: `Drive Org ${i}` });
      await post("/_control/deals", { title: `Drive deal ${i}`, value: 100, stage_id: 2, org_id: org.id });
    },
    limits: "one record per request; the fake's burst window of 80 requests per 2 s (429s waited out)",
  },
};

export const sync: Bench = {
  name: "sync",
  description: `HubSpot and Pipedrive sync backfills of ${EACH_SIDE} contacts and ${OBJECTS} companies with a deal each, each side, through the fakes: records/s; a no-op run`,
  async run(ctx) {
    const metrics: Record<string, number> = {};
    for (const [name, provider] of Object.entries(PROVIDERS)) {
      if (process.env.SYNC_ONLY && process.env.SYNC_ONLY !== name) continue;
      console.log(`  ${name} (${provider.limits})`);
      const figures = await backfill(ctx.root, provider);
      for (const [k, v] of Object.entries(figures)) metrics[`${name}_${k}`] = v;
    }
    return metrics;
  },
};

async function backfill(root: string, provider: Provider) {
  const built = await buildPlugin(join(root, "plugins", provider.dir));
  const hub = await provider.start();
  const worker = await startBenchWorker(root, NO_WIDGET_LIMITS);
  try {
    const json = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await worker.call(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const { apiKey } = await seedWorkspace(worker.call, {
      email: `bench-sync-${Date.now()}@autopilot.local`,
      password: "benchmark-password",
      name: "Bench Owner",
      companyName: "Bench Sync",
    });
    const admin = { authorization: `Bearer ${apiKey}` };
    const token = provider.token();
    const install = await json(
      "/v1/plugins/installs",
      {
        package: {
          format: 1,
          manifest: built.manifest,
          bundle: built.code,
          sha256: built.sha256,
          readme: "",
        },
        grant: { permissions: built.manifest.permissions, hosts: built.manifest.egress },
        config: provider.config(token, hub.url),
      },
      admin,
    );
    for (let i = 0; i < EACH_SIDE; i++) await provider.seed(hub.url, token, i);
    for (let i = 0; i < EACH_SIDE; i++)
      await json("/v1/contacts", { email: `local${i}@bench.test`, name: `Local ${i}` }, admin);
    for (let i = 0; i < OBJECTS; i++) {
      await provider.seedObjects(hub.url, token, i);
      const co = await json("/v1/companies", { name: `Local Co ${i}`, domain: `localco${i}.test` }, admin);
      await json("/v1/deals", { title: `Local deal ${i}`, amount: 100, companyId: co.id }, admin);
    }
    // Each side's records: contacts, companies and deals.
    const expected = EACH_SIDE + 2 * OBJECTS;
    console.log(
      `  setup: ${EACH_SIDE} contacts and ${OBJECTS} companies with a deal each, in the fake and in the workspace`,
    );

    const syncNow = async () =>
      (await json(`/v1/plugins/installs/${install.id}/actions/sync_now`, {}, admin)).value as {
        pulled: number;
        pushed: number;
        failed: number;
        caughtUp: boolean;
        paused?: number;
      };
    let pulled = 0;
    let pushed = 0;
    let failed = 0;
    let runs = 0;
    let pauses = 0;
    const t0 = performance.now();
    for (; runs < MAX_RUNS && performance.now() - t0 < MAX_SECONDS * 1000; runs++) {
      const out = await syncNow();
      pulled += out.pulled;
      pushed += out.pushed;
      failed += out.failed;
      if (out.paused) {
        pauses++;
        await new Promise((r) => setTimeout(r, Math.max(0, (out.paused ?? 0) - Date.now()) + 20));
        continue;
      }
      if (out.caughtUp) break;
    }
    const backfillS = (performance.now() - t0) / 1000;
    if (pulled < expected || pushed < expected || failed > 0) {
      const report = await json(
        `/v1/plugins/installs/${install.id}/reports/sync_status`,
        { parameters: {} },
        admin,
      );
      console.log(JSON.stringify(report).slice(0, 600));
    }
    if (pulled < expected || pushed < expected || failed > 0)
      throw new Error(`backfill incomplete: pulled ${pulled}, pushed ${pushed}, failed ${failed}`);
    const noop: number[] = [];
    for (let i = 0; i < NOOP_RUNS; i++) {
      const t = performance.now();
      const out = await syncNow();
      noop.push(performance.now() - t);
      if (out.pulled + out.pushed > 0)
        throw new Error(`a run after the backfill changed ${out.pulled + out.pushed} records`);
    }
    const recordsPerS = (pulled + pushed) / backfillS;
    console.log(
      `  backfill: ${pulled} in + ${pushed} out in ${runs + 1} runs (${pauses} paused by a 429), ${backfillS.toFixed(1)} s = ${recordsPerS.toFixed(1)} records/s`,
    );
    console.log(
      `  a run with nothing to do: median ${percentile(
        [...noop].sort((a, b) => a - b),
        50,
      ).toFixed(1)} ms (${NOOP_RUNS} runs)`,
    );
    return {
      records_per_s: round(recordsPerS),
      backfill_s: round(backfillS),
      backfill_runs: runs + 1,
      backfill_pauses: pauses,
      noop_run_median_ms: round(
        percentile(
          [...noop].sort((a, b) => a - b),
          50,
        ),
      ),
    };
  } finally {
    await worker.close();
    await hub.close();
  }
}
