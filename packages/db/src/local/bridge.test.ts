import { neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import { openDatabase } from "../database.js";
import { type Bridge, startBridge } from "./bridge.js";
import { createFreshDatabase, dropDatabase, type LocalDatabase, startLocalDatabase } from "./index.js";

// The bridge's pooling (server-pool.ts) against the real database path: the neon driver over a
// WebSocket, PGlite's socket server by default or the PostgreSQL server in DATABASE_URL.

const serverUrl = process.env.DATABASE_URL;
const name = `autopilot_bridge_test_${process.pid}_${Date.now()}`;
let local: LocalDatabase;
let bridge: Bridge;
let url: string;

beforeAll(async () => {
  neonConfig.webSocketConstructor = ws; // Node 20 has no global WebSocket
  local = await startLocalDatabase({
    databaseUrl: serverUrl ? await createFreshDatabase(serverUrl, name) : undefined,
  });
  url = local.connectionString;
  const u = new URL(url);
  const target = `${u.hostname}:${u.port || "5432"}`;
  bridge = await startBridge({ allowed: [target], pooled: [target] });
});

afterAll(async () => {
  await bridge?.close();
  await local?.close();
  if (serverUrl) await dropDatabase(serverUrl, name);
});

/** One request's worth: a fresh driver pool, some statements on one connection, then goodbye. */
async function session<T>(run: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>) {
  const db = openDatabase({ url, bridge: `127.0.0.1:${bridge.port}` });
  const client = await db.pool.connect();
  try {
    return await run(async (sql) => (await client.query(sql)).rows);
  } finally {
    client.release();
    await db.end();
  }
}

const pid = (q: (sql: string) => Promise<Record<string, unknown>[]>) =>
  q("select pg_backend_pid() as pid").then((r) => r[0]?.pid);

describe("the bridge's connection pool", () => {
  it("hands the next client the same backend, with the last one's session state gone", async () => {
    const first = await session(async (q) => {
      await q("set application_name = 'left-behind'");
      await q("select pg_advisory_lock(4242)");
      await q("prepare left_behind as select 1");
      return pid(q);
    });
    const second = await session(async (q) => ({
      pid: await pid(q),
      app: (await q("select current_setting('application_name') as a"))[0]?.a,
      locks: (
        await q("select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 4242")
      )[0]?.n,
      prepared: (await q("select count(*)::int as n from pg_prepared_statements"))[0]?.n,
    }));
    // application_name returns to what the client's start-up set (the driver's name), not the last client's.
    expect(second).toEqual({
      pid: first,
      app: expect.not.stringMatching("left-behind"),
      locks: 0,
      prepared: 0,
    });
  });

  it("closes a connection its client left inside a transaction instead of handing it on", async () => {
    const first = await session(async (q) => {
      await q("begin");
      await q("select pg_advisory_xact_lock(77)");
      return pid(q);
    });
    const after = await session(async (q) => ({
      inTransaction: (await q("select now() = statement_timestamp() as fresh"))[0]?.fresh,
      pid: await pid(q),
    }));
    expect(after.inTransaction).toBe(true);
    // PGlite has one backend for every connection; a server forks a new one.
    if (serverUrl) expect(after.pid).not.toBe(first);
  });

  it("serves many clients at once, each on its own connection", async () => {
    const pids = await Promise.all(
      Array.from({ length: 12 }, () =>
        session(async (q) => {
          await q("select pg_sleep(0.05)");
          return pid(q);
        }),
      ),
    );
    expect(pids).toHaveLength(12);
    if (serverUrl) expect(new Set(pids).size).toBe(12);
    // …and afterwards those warm connections serve again without new backends.
    const again = await Promise.all(Array.from({ length: 12 }, () => session(pid)));
    if (serverUrl) expect(again.every((p) => pids.includes(p))).toBe(true);
    else expect(new Set(again).size).toBe(1);
  });
});
