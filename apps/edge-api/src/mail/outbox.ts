import { type Database, mailOutbox, withTenant } from "@autopilot/db";
import { and, desc, eq } from "drizzle-orm";

// Reading the local mail outbox (the dev-outbox mailer writes it): a workspace's mail, newest first.

export type OutboxMail = {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
  createdAt: string;
};

/** The workspace's newest `limit` mails, only those sent to every address in `to` when it is given. */
export async function listOutboxMail(
  db: Database,
  tenantId: string,
  limit: number,
  to: string[] = [],
): Promise<OutboxMail[]> {
  const wanted = to.map((x) => x.trim().toLowerCase());
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(mailOutbox)
      .where(wanted.length ? and(...wanted.map((x) => eq(mailOutbox.to, x))) : undefined)
      .orderBy(desc(mailOutbox.createdAt))
      .limit(limit),
  );
  return rows.map((m) => ({
    id: m.id,
    to: m.to,
    subject: m.subject,
    text: m.text,
    kind: m.kind,
    createdAt: m.createdAt.toISOString(),
  }));
}
