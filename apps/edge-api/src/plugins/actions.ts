import type { ActionContext, ActionIo, ActionOutcome, PluginCommand } from "../conversations/actions.js";
import { findInstallByPlugin } from "./installs.js";
import { invokePlugin } from "./invoke.js";
import { fieldPath, schemaProblem } from "./json-schema.js";

// A playbook's call_plugin step: the installed plugin's action, called inside the visitor's turn with
// a short deadline. What retrying cannot fix (not installed, no such action, input its schema refuses,
// a malformed answer) fails for good and is noted for the agents; a plugin that is down, slow or
// paused fails for now, and the conversation's outbox calls it again later (actions run in order).

/** A visitor is waiting: an action gets less time than a background delivery. */
export const PLUGIN_ACTION_TIMEOUT_MS = 3_000;

const permanent = (error: string): ActionOutcome => ({ status: "failed", error, permanent: true });

export async function runPluginAction(
  command: PluginCommand,
  context: ActionContext,
  io: ActionIo,
): Promise<ActionOutcome> {
  if (!io.plugins) return permanent("plugins cannot run here");
  const install = await findInstallByPlugin(
    io.db,
    context.tenantId,
    command.plugin,
    io.plugins.AI_MASTER_KEY,
  );
  if (!install) return permanent(`the plugin ${command.plugin} is not installed`);
  const action = install.manifest.actions.find((a) => a.name === command.method);
  if (!action) return permanent(`${command.plugin} has no action ${command.method}`);
  const problem = schemaProblem(action.input, command.input);
  if (problem)
    return permanent(
      `${command.method}: its input does not fit (${fieldPath("input", problem)}: ${problem.message})`,
    );
  const out = await invokePlugin(
    { env: io.plugins, db: io.db, mailer: io.mailer, timeoutMs: PLUGIN_ACTION_TIMEOUT_MS },
    install,
    { kind: "action", name: command.method, input: command.input },
  );
  if (out.ok) {
    // A plugin may give the visitor one line: { message: "…" }.
    const message = (out.value as { message?: unknown } | null)?.message;
    return {
      status: "done",
      ...(typeof message === "string" && message.trim() ? { summary: message.slice(0, 500) } : {}),
    };
  }
  if (out.code === "malformed" || out.code === "too_large") return permanent(`${out.code}: ${out.message}`);
  return { status: "failed", error: `${out.code}: ${out.message}`, permanent: false };
}
