import { type Database, routerModels, routes, type Tx, withTenant } from "@autopilot/db";
import { compileRouter, type Route, validateRoute } from "@autopilot/engine";
import { and, asc, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../domain/errors.js";
import { loadSnapshot } from "./snapshot.js";

// Routes configuration: every change bumps the tenant's routes version and stores the router compiled
// for it, in the same transaction, so a conversation starting afterwards sees routes and model agree.

export type RouteView = { id: string; version: number; route: Route; updatedAt: string };

const view = (r: typeof routes.$inferSelect): RouteView => ({
  id: r.id,
  version: r.version,
  route: r.definition as Route,
  updatedAt: r.updatedAt.toISOString(),
});

export async function listRoutes(db: Database, tenantId: string) {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx.select().from(routes).where(eq(routes.tenantId, tenantId)).orderBy(asc(routes.id));
    const snapshot = await loadSnapshot(tx, tenantId);
    return { version: snapshot.version, routes: rows.map(view) };
  });
}

export async function getRoute(db: Database, tenantId: string, id: string): Promise<RouteView> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(routes)
      .where(and(eq(routes.tenantId, tenantId), eq(routes.id, id)));
    if (!row) throw notFound("route");
    return view(row);
  });
}

/** Step-level errors from the engine become a 422 the dashboard can show on each step. */
export function validateOrThrow(input: unknown): Route {
  const result = validateRoute(input);
  if (!result.ok)
    throw new AppError("invalid_route", result.errors[0]?.message ?? "invalid route", {
      errors: result.errors,
    });
  return result.route;
}

async function bumpVersion(tx: Tx, tenantId: string): Promise<number> {
  // Serialises concurrent edits of one tenant's routes; released at commit.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`routes:${tenantId}`}))`);
  const [row] = await tx
    .select({ v: sql<number>`coalesce(max(${routerModels.version}), 0)::int` })
    .from(routerModels)
    .where(eq(routerModels.tenantId, tenantId));
  return (row?.v ?? 0) + 1;
}

async function compileAndStore(tx: Tx, tenantId: string, version: number): Promise<void> {
  const rows = await tx.select().from(routes).where(eq(routes.tenantId, tenantId)).orderBy(asc(routes.id));
  const all = rows.map((r) => r.definition as Route);
  await tx.insert(routerModels).values({ tenantId, version, routes: all, model: compileRouter(all) });
}

export async function saveRoute(
  db: Database,
  tenantId: string,
  route: Route,
  mode: "create" | "replace",
): Promise<RouteView> {
  return withTenant(db, tenantId, async (tx) => {
    const version = await bumpVersion(tx, tenantId);
    const [existing] = await tx
      .select({ id: routes.id })
      .from(routes)
      .where(and(eq(routes.tenantId, tenantId), eq(routes.id, route.id)));
    if (mode === "create" && existing) throw new AppError("conflict", `route ${route.id} already exists`);
    if (mode === "replace" && !existing) throw notFound("route");
    const [row] = await tx
      .insert(routes)
      .values({ tenantId, id: route.id, definition: route, version })
      .onConflictDoUpdate({
        target: [routes.tenantId, routes.id],
        set: { definition: route, version, updatedAt: new Date() },
      })
      .returning();
    await compileAndStore(tx, tenantId, version);
    if (!row) throw new Error("route upsert returned nothing");
    return view(row);
  });
}

export async function deleteRoute(db: Database, tenantId: string, id: string): Promise<{ version: number }> {
  return withTenant(db, tenantId, async (tx) => {
    const version = await bumpVersion(tx, tenantId);
    const deleted = await tx
      .delete(routes)
      .where(and(eq(routes.tenantId, tenantId), eq(routes.id, id)))
      .returning({ id: routes.id });
    if (deleted.length === 0) throw notFound("route");
    await compileAndStore(tx, tenantId, version);
    return { version };
  });
}
