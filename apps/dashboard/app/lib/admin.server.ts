import type { AppLoadContext } from "react-router";
import { allows, type Role } from "./nav.js";
import { requireMe } from "./session.server.js";

/**
 * Settings pages refuse anyone below admin, whatever the navigation shows: a 403 page instead of the
 * settings. Loaders run it beside their reads, not before them (one round trip fewer): the API refuses
 * those reads to a non-admin anyway, and this makes the page say so instead of failing half way.
 */
export async function requireAdmin(request: Request, context: AppLoadContext) {
  const me = await requireMe(request, context);
  if (!allows(me.role as Role, "admin"))
    throw new Response("Only admins and owners can see the settings.", {
      status: 403,
      statusText: "Forbidden",
    });
  return me;
}
