import { env } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/log.js";
import { putBundle } from "../src/plugins/bundles.js";
import { deliver, MAX_SCHEDULE_CHAIN } from "../src/plugins/deliveries.js";
import { createInstall } from "../src/plugins/installs.js";
import { queueDueSchedules } from "../src/plugins/schedules.js";
import { until } from "./channel-helpers.js";
import { call, ownerDb, signup } from "./helpers.js";

// Schedules (issue 17, item 5): due runs are queued once by the minute cron and run the plugin's
// onSchedule; every call is recorded with the lines the plugin logged (item 6). A run that answers
// `{ again: true }` (a sync's backfill) is queued again at once, a bounded number of times in a row.

const TICKING = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    if (call.kind !== "schedule") return { ok: false, error: { code: "not_handled", message: call.kind } };
    return { ok: true, value: null, logs: [{ level: "info", message: "tick ran", data: { name: call.name } }] };
  }
}`;

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

describe("plugin schedules and the call record", () => {
  it("queues a due schedule once, runs it, and the admins see the call with its log lines", async () => {
    const s = await signup("Ticks Co");
    const install = await createInstall(db, s.tenantId, {
      manifest: {
        id: "acme/ticker",
        name: "Ticker",
        version: "1.0.0",
        engine: "^1.0.0",
        kinds: ["events"],
        schedules: [{ name: "tick", everyMinutes: 5 }],
      },
      bundleSha256: await putBundle(env, TICKING),
      grant: { permissions: [], hosts: [] },
    });
    const [row] = await db.query<{ next_at: string }>(
      "select next_at from plugin_schedules where install_id = $1 and name = 'tick'",
      [install.id],
    );
    // The first run is a period (plus a little jitter) away, not now.
    const inMinutes = (Date.parse(row?.next_at ?? "") - Date.now()) / 60_000;
    expect(inMinutes).toBeGreaterThan(4.9);
    expect(inMinutes).toBeLessThan(6.1);

    await db.query(
      "update plugin_schedules set next_at = now() - interval '1 second' where install_id = $1",
      [install.id],
    );
    const sent: unknown[] = [];
    const queue = {
      send: async (m: unknown) => {
        sent.push(m);
        return {} as QueueSendResponse;
      },
    };
    const log = createLogger({ test: "schedules" });
    await queueDueSchedules(db, queue, log);
    await queueDueSchedules(db, queue, log);
    const mine = sent.filter((m) => (m as { installId: string }).installId === install.id);
    expect(mine).toEqual([{ kind: "schedule", tenantId: s.tenantId, installId: install.id, name: "tick" }]);

    let acked = false;
    await deliver(
      env,
      db,
      {
        id: "m1",
        body: mine[0],
        attempts: 1,
        ack: () => {
          acked = true;
        },
        retry: () => undefined,
      },
      log,
    );
    expect(acked).toBe(true);
    const calls = await call(`/v1/plugins/installs/${install.id}/calls`, { headers: s.auth });
    expect(calls.status).toBe(200);
    expect(calls.json.calls).toEqual([
      expect.objectContaining({
        kind: "schedule",
        name: "tick",
        ok: true,
        logs: [{ level: "info", message: "tick ran", data: { name: "tick" } }],
      }),
    ]);
  });

  it("runs again at once while the plugin says work is left, keeps its own schedule away, and stops at the bound", async () => {
    // Three runs of work: the first two answer "again", the third is done (a counter in its storage).
    const BACKFILL = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    const n = (await this.env.API.call("storage", "get", ["n"])) ?? 0;
    await this.env.API.call("storage", "put", ["n", n + 1]);
    return { ok: true, value: n < 2 ? { again: true, afterSeconds: 1 } : null };
  }
}`;
    const s = await signup("Backfill Co");
    const install = await createInstall(db, s.tenantId, {
      manifest: {
        id: "acme/backfill",
        name: "Backfill",
        version: "1.0.0",
        engine: "^1.0.0",
        kinds: ["events"],
        permissions: ["storage"],
        schedules: [{ name: "sync", everyMinutes: 5 }],
      },
      bundleSha256: await putBundle(env, BACKFILL),
      grant: { permissions: ["storage"], hosts: [] },
    });
    const runs = async () =>
      ((await call(`/v1/plugins/installs/${install.id}/calls`, { headers: s.auth })).json.calls as unknown[])
        .length;
    const message = (chain?: number) => ({
      id: crypto.randomUUID(),
      body: {
        kind: "schedule",
        tenantId: s.tenantId,
        installId: install.id,
        name: "sync",
        ...(chain ? { chain } : {}),
      },
      attempts: 1,
      ack: () => undefined,
      retry: () => undefined,
    });
    await db.query("update plugin_schedules set next_at = now() where install_id = $1", [install.id]);
    const log = createLogger({ test: "schedules" });
    await deliver(env, db, message(), log);
    // The queue brings the next two at once (a second apart), then they stop: the third was done.
    expect(await until(runs, (n) => n >= 3, 15)).toBe(3);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await runs()).toBe(3);
    // Meanwhile the schedule's own run was moved a period away.
    const [row] = await db.query<{ next_at: string }>(
      "select next_at from plugin_schedules where install_id = $1",
      [install.id],
    );
    expect((Date.parse(row?.next_at ?? "") - Date.now()) / 60_000).toBeGreaterThan(4.5);

    // At the bound, an "again" is not followed.
    await db.query("update plugin_storage set value = '0'::jsonb where install_id = $1 and key = 'n'", [
      install.id,
    ]);
    await deliver(env, db, message(MAX_SCHEDULE_CHAIN), log);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await runs()).toBe(4);
  }, 40_000);
});
