import type { Database } from "@autopilot/db";
import { SendResult } from "@autopilot/sdk";
import type { ChannelSend, SendOutcome } from "../conversations/channel-send.js";
import { AppError } from "../domain/errors.js";
import type { Mailer } from "../mail/mailer.js";
import { threadDataOf } from "./conversations.js";
import { getInstall } from "./installs.js";
import { invokePlugin, type PluginEnv } from "./invoke.js";

// A reply in a channel plugin's conversation, handed to the plugin's channel.send. What the plugin
// cannot do now (down, paused, slow, throwing) is tried again; an uninstalled channel, or a plugin
// that says the message can never go, fails for good.

export async function sendThroughChannel(
  deps: { env: PluginEnv; db: Database; mailer: Mailer },
  tenantId: string,
  send: ChannelSend,
): Promise<SendOutcome> {
  const install = await getInstall(deps.db, tenantId, send.installId, deps.env.AI_MASTER_KEY).catch(
    (error: unknown) => {
      if (error instanceof AppError && error.code === "not_found") return null;
      throw error;
    },
  );
  if (!install) return { status: "failed", reason: "the channel's plugin is no longer installed" };
  const threadData = await threadDataOf(deps.db, { tenantId, installId: install.id }, send.message.threadId);
  const out = await invokePlugin(deps, install, {
    kind: "send",
    message: { ...send.message, threadData },
  });
  if (!out.ok) return { status: "retry", reason: `${out.code}: ${out.message}` };
  const result = SendResult.safeParse(out.value);
  if (!result.success)
    return { status: "retry", reason: "malformed: the plugin's answer is not a send result" };
  const r = result.data;
  if (r.status === "sent") return { status: "sent", externalIds: r.externalIds };
  if (r.status === "failed") return { status: "failed", reason: r.reason };
  return {
    status: "retry",
    reason: "the provider asked to wait",
    ...(r.afterSeconds ? { afterSeconds: r.afterSeconds } : {}),
  };
}
