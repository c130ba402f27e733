import type { PoolClient } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { Database, Tx } from "./database.js";
import { classifyDriverError } from "./errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in one transaction as `app_user` with `app.tenant_id` set, so row-level security limits
 * every statement to this tenant, whatever `fn` forgets to filter. The role switch matters because
 * the connecting user may be a superuser (PGlite's is), and superusers bypass RLS.
 */
export async function withTenant<T>(
  database: Database,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  // Inlined so that BEGIN, the role and the tenant go in one round trip (simple protocol).
  if (!UUID.test(tenantId)) throw new Error("withTenant: tenantId must be a UUID");
  return inTransaction(
    database,
    `BEGIN; SET LOCAL ROLE app_user; SELECT set_config('app.tenant_id', '${tenantId}', true)`,
    fn,
  );
}

/**
 * Runs `fn` in one transaction as `app_platform`: the marketplace's own tables (developers, listings,
 * versions) and nothing else. That role has no grant on any tenant table, so code running here cannot
 * read a workspace's data even by mistake.
 */
export async function withPlatform<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(database, "BEGIN; SET LOCAL ROLE app_platform", fn);
}

/** One pooled connection, `begin` (which opens the transaction and sets the role), `fn`, commit. */
async function inTransaction<T>(database: Database, begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await database.pool.connect().catch((error: unknown) => {
    throw classifyDriverError(error);
  });
  try {
    await timedQuery(database, client, begin);
    const result = await fn(drizzle({ client: countingClient(database, client) }));
    await timedQuery(database, client, "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function timedQuery(database: Database, client: PoolClient, text: string): Promise<void> {
  const started = performance.now();
  database.stats.roundTrips++;
  try {
    await client.query(text);
  } catch (error) {
    throw classifyDriverError(error);
  } finally {
    database.stats.ms += performance.now() - started;
  }
}

// Counts drizzle's statements on this client without changing what they do.
function countingClient(database: Database, client: PoolClient): PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== "query") return Reflect.get(target, prop, receiver);
      return async (...args: unknown[]) => {
        const started = performance.now();
        database.stats.roundTrips++;
        try {
          return await query(...args);
        } catch (error) {
          throw classifyDriverError(error);
        } finally {
          database.stats.ms += performance.now() - started;
        }
      };
    },
  });
}
