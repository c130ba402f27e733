import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { attributeRoutes } from "./attributes.js";
import { companyRoutes } from "./companies.js";
import { contactRoutes } from "./contacts.js";
import { dealRoutes } from "./deals.js";
import { leadRoutes } from "./leads.js";
import { teamRoutes } from "./teams.js";

/** Mounts the leads and sales API (issue 6): one line in app.ts, the list kept here. */
export function mountSalesRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const routes of [contactRoutes, companyRoutes, attributeRoutes, leadRoutes, teamRoutes, dealRoutes])
    app.route("/", routes);
}
