import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { type Bridge, type BridgeStats, startBridge } from "./bridge.js";
import { migratePgliteDatabase, migrateServerDatabase } from "./migrate.js";
import { serialiseExtendedProtocol } from "./serialise.js";

export type LocalDatabase = {
  /** What the worker connects to (through the bridge): a postgres:// URL. */
  connectionString: string;
  /** Port of the WebSocket bridge the worker's neon driver talks to. */
  bridgePort: number;
  kind: "pglite" | "postgres";
  /** Connections and round trips through the bridge so far. */
  bridgeStats: () => BridgeStats;
  close: () => Promise<void>;
};

/**
 * Starts the local database path the worker uses: PGlite (on disk under `dataDir`, or in memory) or
 * the server named by `databaseUrl`, migrated, behind the WebSocket bridge.
 */
export async function startLocalDatabase(opts: {
  databaseUrl?: string;
  dataDir?: string;
  bridgePort?: number;
  /**
   * Keep warm server connections across the worker's requests, as production's pooler does (default
   * true; a server only: PGlite has one backend whatever the connections). False forks a backend per
   * connection: the benchmarks' comparison.
   */
  pooled?: boolean;
}): Promise<LocalDatabase> {
  if (opts.databaseUrl) {
    await migrateServerDatabase(opts.databaseUrl);
    const url = new URL(opts.databaseUrl);
    const target = `${url.hostname}:${url.port || "5432"}`;
    const pooled = opts.pooled === false ? [] : [target];
    const bridge = await startBridge({ allowed: [target], pooled, port: opts.bridgePort });
    return {
      connectionString: opts.databaseUrl,
      bridgePort: bridge.port,
      kind: "postgres",
      bridgeStats: bridge.stats,
      close: bridge.close,
    };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ?? "memory://");
  let server: PGLiteSocketServer | undefined;
  let bridge: Bridge | undefined;
  try {
    await migratePgliteDatabase(db);
    server = new PGLiteSocketServer({
      db: serialiseExtendedProtocol(db),
      host: "127.0.0.1",
      port: 0,
      maxConnections: 64,
    });
    await server.start();
    const pgPort = Number(server.getServerConn().split(":").pop());
    bridge = await startBridge({ allowed: [`127.0.0.1:${pgPort}`], port: opts.bridgePort });
    const b = bridge;
    const s = server;
    return {
      connectionString: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      bridgePort: bridge.port,
      kind: "pglite",
      bridgeStats: b.stats,
      close: async () => {
        await b.close();
        await s.stop();
        await db.close();
      },
    };
  } catch (error) {
    await bridge?.close();
    await server?.stop();
    await db.close();
    throw error;
  }
}
