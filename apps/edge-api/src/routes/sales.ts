import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { activityRoutes } from "./activities.js";
import { attributeRoutes } from "./attributes.js";
import { companyRoutes } from "./companies.js";
import { contactRoutes } from "./contacts.js";
import { dealRoutes } from "./deals.js";
import { forecastRoutes } from "./forecast.js";
import { leadRoutes } from "./leads.js";
import { pipelineRoutes } from "./pipelines.js";
import { teamRoutes } from "./teams.js";

/** Mounts the leads and sales API (issue 6): one line in app.ts, the list kept here. */
export function mountSalesRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const routes of [
    contactRoutes,
    companyRoutes,
    attributeRoutes,
    leadRoutes,
    teamRoutes,
    pipelineRoutes,
    dealRoutes,
    activityRoutes,
    forecastRoutes,
  ])
    app.route("/", routes);
}
