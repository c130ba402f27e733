import { mailOutbox, type Tx } from "@autopilot/db";
import { createLogger } from "../lib/log.js";

export type MailMessage = {
  tenantId: string;
  to: string;
  subject: string;
  text: string;
  kind: "verify_email" | "reset_password" | "invite" | "notification";
};

/** Sends mail. Production adapters arrive with plugins; they must be as transactional as their transport allows. */
export interface Mailer {
  send(tx: Tx, message: MailMessage): Promise<void>;
}

/**
 * Local development: the message is stored in mail_outbox in the caller's transaction (the dashboard
 * shows a signed-in workspace its mail) and printed to the terminal running `npm start`, where someone
 * signed out (a password reset) finds their link.
 */
export const outboxMailer: Mailer = {
  async send(tx, message) {
    await tx.insert(mailOutbox).values(message);
    createLogger({ mailer: "dev-outbox" }).info("mail", {
      to: message.to,
      subject: message.subject,
      links: message.text.match(/https?:\/\/\S+/g) ?? [],
    });
  },
};

/** No transport configured: nothing is sent, and the log says so (never the message, whose links are secrets). */
const noMailer: Mailer = {
  async send(_tx, message) {
    createLogger({ mailer: "none" }).warn("mail not sent: no MAILER is configured", {
      tenantId: message.tenantId,
      kind: message.kind,
    });
  },
};

export function mailerFor(name: string | undefined): Mailer {
  if (name === "dev-outbox") return outboxMailer;
  if (name === undefined || name === "") return noMailer;
  throw new Error(`unknown MAILER ${name}`);
}

/**
 * Settings the worker refuses to run with: the local outbox (every workspace's reset and invite links
 * in one table, readable locally) outside local development. Checked on every request, so a deploy
 * that kept it answers nothing but this error.
 */
export function misconfiguration(env: { MAILER?: string; LOCAL_DEVELOPMENT?: string }): string | null {
  if (env.MAILER === "dev-outbox" && env.LOCAL_DEVELOPMENT !== "1")
    return "MAILER=dev-outbox is for local development only (set LOCAL_DEVELOPMENT=1 locally, or configure a real mailer)";
  if (env.MAILER !== undefined && env.MAILER !== "" && env.MAILER !== "dev-outbox")
    return `unknown MAILER ${env.MAILER}`;
  return null;
}
