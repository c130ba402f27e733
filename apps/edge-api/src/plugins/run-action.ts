import { AppError } from "../domain/errors.js";
import { getInstall } from "./installs.js";
import { type InvokeDeps, invokePlugin } from "./invoke.js";
import { fieldPath, schemaProblem } from "./json-schema.js";

// An admin running one of an install's actions by hand (a sync's "Sync now"): the input checked
// against the action's schema, the plugin's answer returned as it gave it.

export async function runPluginAction(
  deps: InvokeDeps,
  tenantId: string,
  installId: string,
  name: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const install = await getInstall(deps.db, tenantId, installId, deps.env.AI_MASTER_KEY);
  const action = install.manifest.actions.find((a) => a.name === name);
  if (!action) throw new AppError("not_found", `action ${name} not found`);
  const problem = schemaProblem(action.input, input);
  if (problem) throw new AppError("invalid_request", `${fieldPath("input", problem)}: ${problem.message}`);
  if (install.status !== "active")
    throw new AppError("conflict", "status: the plugin is paused; resume it first");
  const out = await invokePlugin(deps, install, { kind: "action", name, input });
  if (!out.ok) throw new AppError("unavailable", `the plugin failed (${out.code}: ${out.message})`);
  return out.value;
}
