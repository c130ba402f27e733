import { neonConfig, Pool } from "@neondatabase/serverless";
import type { NeonDatabase } from "drizzle-orm/neon-serverless";
import { classifyDriverError } from "./errors.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
/**
 * A drizzle handle bound to one tenant transaction (see withTenant). Built without the schema: the
 * relational query API is unused, and deriving its config costs ~1 ms on every transaction.
 */
export type Tx = NeonDatabase;

export type DatabaseConfig = {
  /** postgres:// URL: Neon in production, the local server or PGlite socket locally. */
  url: string;
  /** host:port of the local WebSocket bridge; unset in production (Neon serves WebSockets itself). */
  bridge?: string;
};

/**
 * One request's database: a small Pool (a Worker cannot keep connections across requests), a count of
 * round trips for the logs and benchmarks, and `end()` to call when the request is done.
 */
export type Database = {
  pool: Pool;
  stats: { roundTrips: number; ms: number };
  query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  end(): Promise<void>;
};

let configuredBridge: string | undefined;

function configureDriver(bridge: string | undefined): void {
  if (bridge === configuredBridge) return;
  configuredBridge = bridge;
  if (!bridge) return;
  // The local bridge speaks plain ws; these options are what TOOLCHAIN.md verified against it.
  neonConfig.wsProxy = (host, port) => `${bridge}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.coalesceWrites = false;
}

export function openDatabase(config: DatabaseConfig): Database {
  configureDriver(config.bridge);
  const pool = new Pool({ connectionString: config.url, max: 4 });
  const stats = { roundTrips: 0, ms: 0 };
  return {
    pool,
    stats,
    async query<R extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      const started = performance.now();
      stats.roundTrips++;
      try {
        const result = await pool.query(text, params);
        return result.rows as R[];
      } catch (error) {
        throw classifyDriverError(error);
      } finally {
        stats.ms += performance.now() - started;
      }
    },
    end: () => pool.end(),
  };
}

export { schema };
