import { join } from "node:path";
import { startLocalDatabase } from "@autopilot/db/local";
import type { Service } from "./types.js";

/** PGlite under .data/pglite (or the server in DATABASE_URL), migrated, behind the WebSocket bridge. */
export const database: Service = {
  name: "database",
  async start(stack) {
    const databaseUrl = process.env.DATABASE_URL || undefined;
    const dataDir = join(stack.dataDir, "pglite");
    const db = await startLocalDatabase({ databaseUrl, dataDir });
    stack.database = db;
    const where = databaseUrl ? redact(databaseUrl) : `PGlite in ${dataDir}`;
    return {
      summary: [["Database", `${where} (migrated; bridge on 127.0.0.1:${db.bridgePort})`]],
      stop: db.close,
    };
  },
};

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
