import { agentsReport } from "./agents.js";
import { channelMixReport } from "./channels.js";
import { csatReport } from "./csat.js";
import { funnelReport } from "./funnel.js";
import { knowledgeReport } from "./knowledge.js";
import { pipelineReport } from "./pipeline.js";
import type { ReportFilter, ReportFn } from "./query.js";
import { routesReport } from "./routes.js";
import { slaReport } from "./sla.js";

export type { ReportFn };

/** Every report, the filters it understands (others are a 400) and what it is. */
export const REPORTS = {
  funnel: { run: funnelReport, filters: ["channel"], summary: "Conversation cohort funnel to won deals" },
  routes: {
    run: routesReport,
    filters: ["routeId"],
    summary: "Route performance and where routes are abandoned",
  },
  knowledge: {
    run: knowledgeReport,
    filters: [],
    summary: "Knowledge answer rate and top unanswered questions",
  },
  agents: {
    run: agentsReport,
    filters: ["ownerId"],
    summary: "Agents and reps: response, resolution, leads, deals",
  },
  pipeline: {
    run: pipelineReport,
    filters: ["ownerId"],
    summary: "Deals created, won and lost per pipeline",
  },
  sla: { run: slaReport, filters: ["ownerId"], summary: "SLA breaches by kind and owner" },
  csat: { run: csatReport, filters: ["ownerId"], summary: "Customer satisfaction scores" },
  channels: {
    run: channelMixReport,
    filters: ["channel"],
    summary: "Channel mix: conversations and messages",
  },
} satisfies Record<string, { run: ReportFn; filters: ReportFilter[]; summary: string }>;

export type ReportName = keyof typeof REPORTS;
