import { type ReportAnswer, ReportAnswer as ReportAnswerSchema } from "@autopilot/sdk";
import { AppError } from "../domain/errors.js";
import { getInstall } from "./installs.js";
import { type InvokeDeps, invokePlugin } from "./invoke.js";
import { fieldPath, schemaProblem } from "./json-schema.js";

// The report kind's contract: the dashboard asks an installed report plugin for one of the reports its
// manifest declares, with parameters checked against that report's schema; the plugin answers rows
// and a chart spec, checked here before anything is shown.

export async function runPluginReport(
  deps: InvokeDeps,
  tenantId: string,
  installId: string,
  reportId: string,
  parameters: Record<string, unknown>,
): Promise<ReportAnswer> {
  const install = await getInstall(deps.db, tenantId, installId, deps.env.AI_MASTER_KEY);
  const report = install.manifest.reports.find((r) => r.id === reportId);
  if (!report) throw new AppError("not_found", `report ${reportId} not found`);
  const problem = schemaProblem(report.parameters, parameters);
  if (problem)
    throw new AppError("invalid_request", `${fieldPath("parameters", problem)}: ${problem.message}`);
  if (install.status !== "active") throw new AppError("unavailable", "the plugin is paused");
  const out = await invokePlugin(deps, install, { kind: "report", id: reportId, parameters });
  if (!out.ok) throw new AppError("unavailable", `the report plugin failed (${out.code}: ${out.message})`);
  const answer = ReportAnswerSchema.safeParse(out.value);
  if (!answer.success)
    throw new AppError(
      "unavailable",
      `the report plugin answered rows the dashboard cannot show (${answer.error.issues[0]?.message})`,
    );
  return answer.data;
}
