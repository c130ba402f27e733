// Runs the benchmark's database (PGlite in memory, or a fresh database on the DATABASE_URL server) and
// its bridge in a process of its own, so that the database's work does not share an event loop with
// the client timing the requests. Talks to bench/worker.ts over IPC.
import {
  createFreshDatabase,
  dropDatabase,
  type LocalDatabase,
  startLocalDatabase,
} from "@autopilot/db/local";

export type DatabaseReady = { connectionString: string; bridgePort: number; label: string };

const send = (message: unknown) => process.send?.(message);

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const name = `autopilot_bench_${process.pid}_${Date.now()}`;
  let database: LocalDatabase;
  let label = "PGlite (in memory)";
  if (serverUrl) {
    database = await startLocalDatabase({
      databaseUrl: await createFreshDatabase(serverUrl, name),
      pooled: process.env.BENCH_BRIDGE_POOLED !== "0",
    });
    const u = new URL(serverUrl);
    const pooling = process.env.BENCH_BRIDGE_POOLED === "0" ? "a backend per connection" : "pooled";
    label = `PostgreSQL at ${u.hostname}:${u.port || "5432"} (fresh database ${name}, ${pooling})`;
  } else {
    database = await startLocalDatabase({});
  }
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await database.close();
    if (serverUrl) await dropDatabase(serverUrl, name);
    process.exit(0);
  };
  process.on("message", (message) => {
    if (message === "close") void close();
    if (message === "stats") send({ stats: database.bridgeStats() });
  });
  // The parent died without saying so: clean up anyway.
  process.on("disconnect", () => void close());
  const ready: DatabaseReady = {
    connectionString: database.connectionString,
    bridgePort: database.bridgePort,
    label,
  };
  send({ ready });
}

main().catch((error: unknown) => {
  send({ error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
