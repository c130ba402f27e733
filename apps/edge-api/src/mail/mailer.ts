import { mailOutbox, type Tx } from "@autopilot/db";

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

/** Local and default: stores the message in mail_outbox, in the caller's transaction. */
export const outboxMailer: Mailer = {
  async send(tx, message) {
    await tx.insert(mailOutbox).values(message);
  },
};

export function mailerFor(name: string): Mailer {
  if (name === "dev-outbox") return outboxMailer;
  throw new Error(`unknown MAILER ${name}`);
}
