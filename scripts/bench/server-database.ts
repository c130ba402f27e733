// A fresh database on the DATABASE_URL server with the local bridge in front of it, for the
// benchmarks that need PostgreSQL itself (millions of rows, the server's planner). Dropped at the end
// unless kept.
import { type Database, openDatabase } from "@autopilot/db";
import { createFreshDatabase, dropDatabase, startLocalDatabase } from "@autopilot/db/local";

export type ServerDatabase = {
  name: string;
  url: string;
  /** A new connection through the bridge (the way the worker connects). */
  open: () => Database;
  /** One connection for the benchmark's own setup and checks. */
  admin: Database;
  /** Closes the bridge and drops the database (kept: says so and leaves it for the next run). */
  close: (keep?: boolean) => Promise<void>;
};

/**
 * The benchmark's database, named `autopilot_bench_<bench>_<pid>`; or the existing database `reuse`.
 * Null (the benchmark is skipped) where no DATABASE_URL names a server.
 */
export async function serverDatabase(bench: string, reuse?: string): Promise<ServerDatabase | null> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.log("  skipped: needs DATABASE_URL (a PostgreSQL server)");
    return null;
  }
  const { neonConfig } = await import("@neondatabase/serverless");
  const { default: ws } = await import("ws");
  neonConfig.webSocketConstructor = ws;
  const name = reuse ?? `autopilot_bench_${bench}_${process.pid}`;
  const url = reuse
    ? Object.assign(new URL(serverUrl), { pathname: `/${reuse}` }).href
    : await createFreshDatabase(serverUrl, name);
  const local = await startLocalDatabase({ databaseUrl: url });
  const bridge = `127.0.0.1:${local.bridgePort}`;
  const open = () => openDatabase({ url, bridge });
  const admin = open();
  return {
    name,
    url,
    open,
    admin,
    async close(keep = false) {
      await admin.end();
      await local.close();
      if (keep || reuse) console.log(`  kept database ${name}`);
      else await dropDatabase(serverUrl, name);
    },
  };
}
