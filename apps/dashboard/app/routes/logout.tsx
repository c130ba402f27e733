import { redirect } from "react-router";
import { api, cookieHeaders } from "../lib/api.server.js";
import type { Route } from "./+types/logout";

// POST only (a form in the app layout): a link or a prefetch must never sign anyone out.
export async function action({ request, context }: Route.ActionArgs) {
  const client = api(request, context);
  await client.POST("/v1/auth/logout");
  return redirect("/login", { headers: cookieHeaders(client) });
}

export const loader = () => redirect("/");
