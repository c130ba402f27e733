import { routerModels, type Tx } from "@autopilot/db";
import {
  compileRouter,
  ROUTER_MODEL_VERSION,
  type Route,
  type RouterModel,
  RouteSchema,
} from "@autopilot/engine";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";

// A routes version: the routes as they were and the router compiled from them. Conversations pin one
// at start and finish on it; the row is immutable once written.

export type RoutesSnapshot = { version: number; routes: Route[]; model: RouterModel };

// Version 0 (no routes yet) is never stored; its empty model is compiled once per isolate.
let emptyModel: RouterModel | undefined;
export const emptySnapshot = (): RoutesSnapshot => {
  emptyModel ??= compileRouter([]);
  return { version: 0, routes: [], model: emptyModel };
};

const StoredRoutes = z.array(RouteSchema);

/** The tenant's latest routes version (or a given one), in the caller's tenant transaction. */
export async function loadSnapshot(tx: Tx, tenantId: string, version?: number): Promise<RoutesSnapshot> {
  const rows = await tx
    .select()
    .from(routerModels)
    .where(
      version === undefined
        ? eq(routerModels.tenantId, tenantId)
        : and(eq(routerModels.tenantId, tenantId), eq(routerModels.version, version)),
    )
    .orderBy(desc(routerModels.version))
    .limit(1);
  const row = rows[0];
  if (!row) return emptySnapshot();
  return withCurrentModel({
    version: row.version,
    routes: StoredRoutes.parse(row.routes),
    model: row.model as RouterModel,
  });
}

/**
 * A snapshot whose model the installed engine can read. Models stored (or pinned in a conversation)
 * by an older router format are recompiled from the snapshot's own routes: same routes, same version.
 */
export function withCurrentModel(snapshot: RoutesSnapshot): RoutesSnapshot {
  if (snapshot.model.version === ROUTER_MODEL_VERSION) return snapshot;
  return { ...snapshot, model: compileRouter(snapshot.routes) };
}
