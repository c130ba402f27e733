import { type Database, inboundEmailAddresses, tenants, withTenant } from "@autopilot/db";
import { eq } from "drizzle-orm";
import { notFound } from "./errors.js";

// Each workspace's inbound email address: mail to it becomes conversations of the workspace's email
// channel. The address is made on first use: the workspace's name (readable) and 8 random letters
// and digits (so it cannot be guessed from the name).

/** Production sets its Email Routing domain; local runs get wrangler.toml's. */
export const DEFAULT_INBOUND_DOMAIN = "inbound.localhost";
const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

export type InboundAddress = { address: string; localPart: string; domain: string };

const slugOf = (name: string) =>
  name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 24)
    .replace(/-+$/, "") || "workspace";

function randomPart(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** The workspace's address, made now if it has none. */
export async function inboundAddressOf(
  db: Database,
  tenantId: string,
  domain = DEFAULT_INBOUND_DOMAIN,
): Promise<InboundAddress> {
  const localPart = await withTenant(db, tenantId, async (tx) => {
    const [found] = await tx
      .select({ localPart: inboundEmailAddresses.localPart })
      .from(inboundEmailAddresses)
      .where(eq(inboundEmailAddresses.tenantId, tenantId));
    if (found) return found.localPart;
    const [tenant] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
    if (!tenant) throw notFound("workspace");
    const [made] = await tx
      .insert(inboundEmailAddresses)
      .values({ tenantId, localPart: `${slugOf(tenant.name)}-${randomPart(8)}` })
      // Two first reads at once: the first insert wins, and both answer its address.
      .onConflictDoNothing({ target: inboundEmailAddresses.tenantId })
      .returning({ localPart: inboundEmailAddresses.localPart });
    if (made) return made.localPart;
    const [winner] = await tx
      .select({ localPart: inboundEmailAddresses.localPart })
      .from(inboundEmailAddresses)
      .where(eq(inboundEmailAddresses.tenantId, tenantId));
    if (!winner) throw notFound("inbound address");
    return winner.localPart;
  });
  return { address: `${localPart}@${domain}`, localPart, domain };
}

/**
 * The local part an address names, if it is on the inbound domain: lower-cased, with a `+tag` (which
 * senders and forwarding rules add) dropped.
 */
export function inboundLocalPart(address: string, domain = DEFAULT_INBOUND_DOMAIN): string | null {
  const at = address.lastIndexOf("@");
  if (at < 1) return null;
  if (address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  const local = address.slice(0, at).toLowerCase().split("+")[0] ?? "";
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(local) ? local : null;
}
