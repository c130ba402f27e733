import type { CompanyView, ContactView, DealView } from "./capabilities.js";
import {
  applyRemote,
  type LocalRecord,
  type RecordKind,
  type RecordProvider,
  type RemoteRecord,
  remoteDeleted,
  runSync,
  type SyncCtx,
  type SyncDeletions,
  type SyncOptions,
  type SyncRules,
  type SyncSetup,
  settle,
  syncHandlers,
} from "./record-sync.js";
import { hex } from "./signing.js";

// Our side of the records a CRM sync keeps the same (record-sync.ts runs them): contacts, companies
// and deals, each read, matched and saved through the capabilities the plugin was granted.

/** The first 128 bits of SHA-256 of the JSON, hex: a stable hash of a record's synced fields. */
async function hashOf(values: unknown[]): Promise<string> {
  const text = JSON.stringify(values);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return hex(digest.slice(0, 16));
}
const tagOf = (providerName: string) =>
  `deleted-in-${providerName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
/** A capability the kind needs: there when the manifest asks for its permissions. */
function need<T>(capability: T | undefined, name: string): T {
  if (!capability) throw new Error(`the sync needs the ${name}:read and ${name}:write permissions`);
  return capability;
}
const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

// --- contacts ----------------------------------------------------------------------------------

/** A contact's synced fields; `company` is the id of the company the person works at (the side's own). */
export type ContactFields = {
  email: string;
  name: string | null;
  phone: string | null;
  company?: string | null;
};
export type RemoteContact = RemoteRecord<ContactFields>;
export type ContactProvider = RecordProvider<ContactFields>;

/** Hash of a contact's fields (the company only when there is one: links made before it still match). */
export const contactHash = (f: ContactFields) =>
  hashOf([f.email.toLowerCase(), f.name ?? "", f.phone ?? "", ...(f.company ? [f.company] : [])]);

const contactsOf = (ctx: SyncCtx) => ctx.contacts;
const localContact = (c: ContactView): LocalRecord<ContactFields> => ({
  id: c.id,
  fields: c.email
    ? { email: c.email.toLowerCase(), name: c.name, phone: c.phone, company: c.companyId ?? null }
    : null,
  updatedAt: c.updatedAt,
});

export const contactKind: RecordKind<ContactFields> = {
  type: "contact",
  plural: "contacts",
  ruleFields: ["name", "phone", "company"],
  refs: { company: "company" },
  incomplete: "has no email",
  hash: contactHash,
  label: (f) => f?.email ?? null,
  async get(ctx, id) {
    const c = await contactsOf(ctx).get(id);
    return c ? localContact(c) : null;
  },
  async match(ctx, f) {
    const c = await contactsOf(ctx).findByEmail(f.email);
    return c ? localContact(c) : null;
  },
  async save(ctx, f, _localId, providerName) {
    const upsert = (withPhone: boolean) =>
      contactsOf(ctx).upsert({
        email: f.email,
        ...(f.name ? { name: f.name } : {}),
        ...(withPhone && f.phone ? { phone: f.phone } : {}),
        // A company not synced (yet) is no reason to drop the one the contact has here.
        ...(f.company ? { companyId: f.company } : {}),
      });
    // A phone AutopilotCRM does not take (no country code, not a number) stays with the provider only.
    const saved = await upsert(true).catch((error: unknown) => {
      if (!f.phone || !/phone/i.test(messageOf(error))) throw error;
      ctx.log.warn(`phone not taken from ${providerName}`, { email: f.email, error: messageOf(error) });
      return upsert(false);
    });
    return localContact(saved);
  },
  async changes(ctx, after, limit) {
    const page = await contactsOf(ctx).changes({ after, limit });
    return {
      items: page.contacts.map((c) => ({
        id: c.id,
        deleted: c.deleted,
        ...(c.cursor ? { cursor: c.cursor } : {}),
        record: c.deleted ? null : localContact(c),
      })),
      next: page.next,
    };
  },
  async deletedThere(ctx, localId, providerName) {
    const c = await contactsOf(ctx).get(localId);
    if (c?.email) await contactsOf(ctx).upsert({ email: c.email, tags: [tagOf(providerName)] });
  },
};

// --- companies ---------------------------------------------------------------------------------

export type CompanyFields = { name: string; domain: string | null };
export type RemoteCompany = RemoteRecord<CompanyFields>;
export type CompanyProvider = RecordProvider<CompanyFields>;

/** The bare host, lower-cased, as AutopilotCRM keeps a company's domain ("https://www.Acme.com/x" → "acme.com"). */
export const bareDomain = (domain: string | null | undefined): string | null =>
  domain
    ?.trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, "")
    .replace(/^www\./, "")
    .replace(/[/?#].*$/, "") || null;

const companiesOf = (ctx: SyncCtx) => need(ctx.companies, "companies");
const localCompany = (c: CompanyView): LocalRecord<CompanyFields> => ({
  id: c.id,
  fields: { name: c.name, domain: c.domain },
  updatedAt: c.updatedAt,
});

export const companyKind: RecordKind<CompanyFields> = {
  type: "company",
  plural: "companies",
  ruleFields: ["name", "domain"],
  incomplete: "has no name",
  hash: (f) => hashOf([f.name, bareDomain(f.domain) ?? ""]),
  label: (f) => f?.name ?? null,
  async get(ctx, id) {
    const c = await companiesOf(ctx).get(id);
    return c ? localCompany(c) : null;
  },
  async match(ctx, f) {
    const domain = bareDomain(f.domain);
    const c = domain ? await companiesOf(ctx).findByDomain(domain) : null;
    return c ? localCompany(c) : null;
  },
  async save(ctx, f, localId) {
    const domain = bareDomain(f.domain);
    const saved = await companiesOf(ctx).upsert({
      ...(localId ? { id: localId } : {}),
      name: f.name,
      ...(domain ? { domain } : {}),
    });
    return localCompany(saved);
  },
  async changes(ctx, after, limit) {
    const page = await companiesOf(ctx).changes({ after, limit });
    return {
      items: page.companies.map((c) => ({
        id: c.id,
        deleted: c.deleted,
        ...(c.cursor ? { cursor: c.cursor } : {}),
        record: c.deleted ? null : localCompany(c),
      })),
      next: page.next,
    };
  },
  async deletedThere(ctx, localId, providerName) {
    const c = await companiesOf(ctx).get(localId);
    if (c) await companiesOf(ctx).upsert({ id: c.id, name: c.name, tags: [tagOf(providerName)] });
  },
};

// --- deals -------------------------------------------------------------------------------------

/**
 * A deal's synced fields. `stage` is the stage's name and `status` whether it is open, won or lost: a
 * name the other pipeline does not have moves the deal by status alone. `contact` and `company` are
 * the ids of the records it belongs to (the side's own).
 */
export type DealFields = {
  title: string;
  amount: number | null;
  currency: string | null;
  stage: string | null;
  status: "open" | "won" | "lost";
  closeDate: string | null;
  contact: string | null;
  company: string | null;
};
export type RemoteDeal = RemoteRecord<DealFields>;

/** Pairs of our stage name and the provider's, as an install's settings give them. */
export type StageMap = [ours: string, theirs: string][];
/** "New = Appointment Scheduled, Won = Closed Won" (commas or new lines between pairs). */
export function parseStageMap(text: unknown): StageMap {
  return String(text ?? "")
    .split(/[,\n]/)
    .map((part) => part.split("=").map((x) => x.trim()))
    .filter((pair): pair is [string, string] => pair.length === 2 && Boolean(pair[0] && pair[1]));
}
export type DealProvider = RecordProvider<DealFields>;

const dealsOf = (ctx: SyncCtx) => need(ctx.deals, "deals");
const localDeal = (d: DealView): LocalRecord<DealFields> => ({
  id: d.id,
  fields: {
    title: d.title,
    amount: d.amount,
    currency: d.currency,
    stage: d.stage,
    status: d.status,
    closeDate: d.expectedCloseDate,
    contact: d.contactId,
    company: d.companyId,
  },
  updatedAt: d.updatedAt,
});

export const dealKind: RecordKind<DealFields> = {
  type: "deal",
  plural: "deals",
  ruleFields: ["title", "amount", "currency", "stage", "status", "closeDate", "contact", "company"],
  refs: { contact: "contact", company: "company" },
  incomplete: "has no title",
  hash: (f) =>
    hashOf([
      f.title,
      f.amount ?? "",
      f.currency?.toUpperCase() ?? "",
      f.stage?.toLowerCase() ?? "",
      f.status,
      f.closeDate ?? "",
      f.contact ?? "",
      f.company ?? "",
    ]),
  label: (f) => f?.title ?? null,
  async get(ctx, id) {
    const d = await dealsOf(ctx).get(id);
    return d ? localDeal(d) : null;
  },
  // Deals have no natural key: one not linked is a new one.
  match: async () => null,
  async save(ctx, f, localId, providerName) {
    const saved = await dealsOf(ctx).upsert({
      ...(localId ? { id: localId } : {}),
      title: f.title,
      ...(f.amount !== null ? { amount: Math.max(0, f.amount) } : {}),
      ...(f.currency && /^[A-Za-z]{3}$/.test(f.currency) ? { currency: f.currency.toUpperCase() } : {}),
      ...(f.stage ? { stage: f.stage } : {}),
      status: f.status,
      ...(f.closeDate ? { expectedCloseDate: f.closeDate.slice(0, 10) } : {}),
      ...(f.contact ? { contactId: f.contact } : {}),
      ...(f.company ? { companyId: f.company } : {}),
      ...(f.status !== "open" ? { reason: `closed ${f.status} in ${providerName}` } : {}),
    });
    return localDeal(saved);
  },
  async changes(ctx, after, limit) {
    const page = await dealsOf(ctx).changes({ after, limit });
    return {
      items: page.deals.map((d) => ({
        id: d.id,
        deleted: d.deleted,
        ...(d.cursor ? { cursor: d.cursor } : {}),
        record: d.deleted ? null : localDeal(d),
      })),
      next: page.next,
    };
  },
  // A deal deleted there is marked lost here (deals carry no tags), with the reason.
  async deletedThere(ctx, localId, providerName) {
    const d = await dealsOf(ctx).get(localId);
    if (d && d.status === "open")
      await dealsOf(ctx).upsert({
        id: d.id,
        title: d.title,
        status: "lost",
        reason: `deleted in ${providerName}`,
      });
  },
};

// --- putting a sync together ---------------------------------------------------------------------

/** A sync's providers per kind of record, paired with our side of each. */
export function syncSetup(providers: {
  contact?: ContactProvider;
  company?: CompanyProvider;
  deal?: DealProvider;
}): SyncSetup {
  return {
    ...(providers.contact ? { contact: { kind: contactKind, provider: providers.contact } } : {}),
    ...(providers.company ? { company: { kind: companyKind, provider: providers.company } } : {}),
    ...(providers.deal ? { deal: { kind: dealKind, provider: providers.deal } } : {}),
  };
}

/** Contacts only: one slice of the sync. */
export const runContactSync = (ctx: SyncCtx, provider: ContactProvider, opts: SyncOptions) =>
  runSync(ctx, syncSetup({ contact: provider }), opts);
/** A provider's contact into AutopilotCRM (a webhook's). */
export const applyRemoteContact = (
  ctx: SyncCtx,
  provider: ContactProvider,
  rules: SyncRules,
  r: RemoteContact,
) => applyRemote(ctx, contactKind, provider, rules, r);
/** A contact deleted at the provider (a webhook's). */
export const remoteContactDeleted = (
  ctx: SyncCtx,
  provider: Pick<ContactProvider, "name">,
  deletions: SyncDeletions,
  externalId: string,
) => remoteDeleted(ctx, contactKind, provider, deletions, externalId);
/** A contact's name and phone as the rules settle them. */
export const settleFields = (
  local: ContactFields | null,
  remote: ContactFields,
  rules: SyncRules,
  remoteAt: number,
  localAt: number,
) => settle(contactKind.ruleFields, local, remote, rules, remoteAt, localAt);
/** The usual handlers of a contacts-only sync (see syncHandlers). */
export const contactSyncHandlers = (
  providerOf: (ctx: Parameters<Parameters<typeof syncHandlers>[0]>[0]) => ContactProvider,
  optionsOf: (config: Record<string, unknown>) => SyncOptions,
) => syncHandlers((ctx) => syncSetup({ contact: providerOf(ctx) }), optionsOf);
