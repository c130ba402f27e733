import type {
  ContactsReader,
  ContactsWriter,
  ContactView,
  Logger,
  StorageCapability,
} from "./capabilities.js";
import { hex } from "./signing.js";
import type { SyncCapability } from "./sync.js";

// Contacts kept the same in AutopilotCRM and another CRM, both ways: what HubSpot's and Pipedrive's
// plugins share, each giving only a provider (how to read, write and delete there). One run takes a
// slice that fits a plugin call: the provider's records changed since the pull cursor come in; the
// contacts changed here since the push cursor go out. Each pair is linked (ctx.sync) with the remote
// version and the hashes of both sides' fields as last synced ("r:…|l:…"), so a side that did not
// change since is skipped: a second run changes nothing, neither side's echo of the other's write
// travels back, and a value one side cannot take (a phone AutopilotCRM finds invalid) does not
// bounce between them. Conflicts are settled per field by the configured rule.

export const SYNC_PAGE = 25;
/** A run stops taking records after this long, well inside a plugin call's 5 s (the rest waits for the next). */
export const SYNC_RUN_BUDGET_MS = 2500;
const MAX_ERRORS = 50;

export type ContactFields = { email: string; name: string | null; phone: string | null };
/** A record as the provider has it: `fields` null when it has no email (it cannot be matched here). */
export type RemoteContact = { id: string; fields: ContactFields | null; version: string; modifiedAt: number };
export type PushInput = {
  /** The provider's id when the contact is linked already. */
  externalId: string | null;
  fields: ContactFields;
  /** The fields to write besides the email (those the provider wins are left out). */
  only: ("name" | "phone")[];
};

/** The provider asked to wait (HTTP 429); the sync pauses that long, plus jitter. */
export class RateLimited extends Error {
  constructor(
    readonly afterSeconds: number,
    provider = "The provider",
  ) {
    super(`${provider} asked to wait ${afterSeconds} s`);
  }
}

/** The provider answered with an error status. */
export class ProviderError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ContactProvider {
  /** As people know it ("HubSpot"): in logs, errors and the `deleted-in-…` tag. */
  readonly name: string;
  /** How many changes one push takes (a batch API takes the page at once; one by one, the run's
   * time budget is checked between them). Default: a whole page. */
  readonly pushBatch?: number;
  /** One page of records changed since `cursor` (null: from the start), oldest first; `next` is the cursor after it. */
  changed(
    cursor: string | null,
    limit: number,
  ): Promise<{ records: RemoteContact[]; next: string | null; more: boolean }>;
  /** One record, or null when it is gone there. */
  get(id: string): Promise<RemoteContact | null>;
  /** Creates or updates each (by id when linked, else by email); per input, the record now, or why not. */
  push(inputs: PushInput[]): Promise<(RemoteContact | { error: string })[]>;
  /** Deletes (or archives) these there. */
  remove(ids: string[]): Promise<void>;
}

/** Which side wins a field that differs: the provider's, ours, or the one changed last. */
export type SyncRule = "remote" | "local" | "newest";
export type SyncRules = { name: SyncRule; phone: SyncRule };
export type SyncDeletions = "mirror" | "keep";
export type SyncOptions = { rules: SyncRules; deletions: SyncDeletions; now?: number };

export type SyncError = {
  side: "pull" | "push";
  id: string;
  email: string | null;
  message: string;
  at: string;
};
export type SyncState = {
  pullCursor: string | null;
  pushCursor: string | null;
  pausedUntil: number;
  /** A webhook's public URL, for providers whose signature covers it. */
  hookUrl: string | null;
  totals: { pulled: number; pushed: number; archived: number };
  lastRun: {
    at: string;
    pulled: number;
    pushed: number;
    skipped: number;
    failed: number;
    caughtUp: boolean;
  } | null;
  errors: SyncError[];
};

export type SyncCtx = {
  contacts: ContactsReader & ContactsWriter;
  sync: SyncCapability;
  storage: StorageCapability;
  log: Logger;
};

const STATE = "state";
export const emptySyncState = (): SyncState => ({
  pullCursor: null,
  pushCursor: null,
  pausedUntil: 0,
  hookUrl: null,
  totals: { pulled: 0, pushed: 0, archived: 0 },
  lastRun: null,
  errors: [],
});
export async function loadSyncState(storage: StorageCapability): Promise<SyncState> {
  const saved = (await storage.get<SyncState>(STATE)) ?? {};
  const state = { ...emptySyncState(), ...saved };
  // Kept as a number (HubSpot's milliseconds) before 1.1.0 of the HubSpot plugin.
  if (typeof state.pullCursor === "number") state.pullCursor = String(state.pullCursor);
  return state;
}
export const saveSyncState = (storage: StorageCapability, state: SyncState) => storage.put(STATE, state);

/** A stable hash of the synced fields (the first 128 bits of SHA-256, hex). */
export async function contactHash(f: ContactFields): Promise<string> {
  const text = JSON.stringify([f.email.toLowerCase(), f.name ?? "", f.phone ?? ""]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return hex(digest.slice(0, 16));
}

/** Both sides' hashes as a link keeps them; an empty one never matches (that side goes again). */
const pair = (remote: string, local: string) => `r:${remote}|l:${local}`;
const sideOf = (hash: string | null | undefined, side: "r" | "l") =>
  hash
    ?.split("|")
    .find((x) => x.startsWith(`${side}:`))
    ?.slice(2) || null;
const remoteHashOf = async (r: RemoteContact) => (r.fields ? contactHash(r.fields) : "");

const localFields = (c: ContactView): ContactFields | null =>
  c.email ? { email: c.email.toLowerCase(), name: c.name, phone: c.phone } : null;

/** Each field as the rule says: the provider's, ours, or the one changed last. */
export function settleFields(
  local: ContactFields | null,
  remote: ContactFields,
  rules: SyncRules,
  remoteAt: number,
  localAt: number,
): ContactFields {
  if (!local) return remote;
  const pick = (field: "name" | "phone"): string | null => {
    const [mine, theirs] = [local[field], remote[field]];
    if (mine === theirs) return mine;
    const rule = rules[field];
    if (rule === "remote") return theirs ?? mine;
    if (rule === "local") return mine ?? theirs;
    return remoteAt >= localAt ? (theirs ?? mine) : (mine ?? theirs);
  };
  return { email: remote.email, name: pick("name"), phone: pick("phone") };
}

function noteError(state: SyncState, e: Omit<SyncError, "at">) {
  state.errors = [
    { ...e, at: new Date().toISOString() },
    ...state.errors.filter((x) => !(x.side === e.side && x.id === e.id)),
  ].slice(0, MAX_ERRORS);
}
const clearError = (state: SyncState, side: SyncError["side"], id: string) => {
  state.errors = state.errors.filter((x) => !(x.side === side && x.id === id));
};
const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

/** A provider's contact into AutopilotCRM (created, updated, or skipped as unchanged). */
export async function applyRemoteContact(
  ctx: SyncCtx,
  provider: ContactProvider,
  rules: SyncRules,
  r: RemoteContact,
): Promise<"pulled" | "skipped"> {
  const remote = r.fields;
  if (!remote) throw new Error(`the ${provider.name} contact has no email`);
  const remoteHash = await contactHash(remote);
  const link = await ctx.sync.byExternal("contact", r.id);
  if (link && sideOf(link.hash, "r") === remoteHash) return "skipped";
  const known = link ? await ctx.contacts.get(link.localId) : await ctx.contacts.findByEmail(remote.email);
  const local = known ? localFields(known) : null;
  // Not changed here since the last sync: no conflict, the provider's change is taken as it is (a
  // provider whose times are to the second would otherwise lose to our write in the same second).
  const unchangedHere = link && local && sideOf(link.hash, "l") === (await contactHash(local));
  const settled = settleFields(
    local,
    remote,
    unchangedHere ? { name: "remote", phone: "remote" } : rules,
    r.modifiedAt,
    known ? Date.parse(known.updatedAt) : 0,
  );
  const upsert = (withPhone: boolean) =>
    ctx.contacts.upsert({
      email: settled.email,
      ...(settled.name ? { name: settled.name } : {}),
      ...(withPhone && settled.phone ? { phone: settled.phone } : {}),
    });
  // A phone AutopilotCRM does not take (no country code, not a number) stays with the provider only.
  const saved = await upsert(true).catch((error: unknown) => {
    if (!settled.phone || !/phone/i.test(messageOf(error))) throw error;
    ctx.log.warn(`phone not taken from ${provider.name}`, { id: r.id, error: messageOf(error) });
    return upsert(false);
  });
  // Where our side won a field, the provider still has the other value: no local hash is kept, so the
  // push sends ours. (A value refused here, like an invalid phone, is not a difference to send back.)
  const oursWon = settled.name !== remote.name || settled.phone !== remote.phone;
  const savedFields = localFields(saved);
  await ctx.sync.link({
    objectType: "contact",
    localId: saved.id,
    externalId: r.id,
    remoteVersion: r.version,
    hash: pair(remoteHash, oursWon || !savedFields ? "" : await contactHash(savedFields)),
  });
  return "pulled";
}

/** A contact deleted at the provider: unlinked here, and tagged `deleted-in-…` when deletions mirror. */
export async function remoteContactDeleted(
  ctx: SyncCtx,
  provider: ContactProvider,
  deletions: SyncDeletions,
  externalId: string,
): Promise<void> {
  const link = await ctx.sync.byExternal("contact", externalId);
  if (!link) return;
  const local = await ctx.contacts.get(link.localId);
  if (deletions === "mirror" && local?.email)
    await ctx.contacts.upsert({
      email: local.email,
      tags: [`deleted-in-${provider.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`],
    });
  await ctx.sync.unlink("contact", link.localId);
}

/** Our contacts to the provider; per contact, whether it went (and its link is kept). */
async function pushContacts(
  ctx: SyncCtx,
  provider: ContactProvider,
  state: SyncState,
  batch: (PushInput & { localId: string; hash: string })[],
): Promise<{ pushed: number; failed: number }> {
  const out = { pushed: 0, failed: 0 };
  if (batch.length === 0) return out;
  const answers = await provider.push(
    batch.map(({ externalId, fields, only }) => ({ externalId, fields, only })),
  );
  for (const [i, b] of batch.entries()) {
    const r = answers[i];
    if (!r || "error" in r) {
      out.failed++;
      noteError(state, {
        side: "push",
        id: b.localId,
        email: b.fields.email,
        message: r?.error ?? `${provider.name} did not take it`,
      });
      continue;
    }
    await ctx.sync.link({
      objectType: "contact",
      localId: b.localId,
      externalId: r.id,
      remoteVersion: r.version,
      hash: pair(await remoteHashOf(r), b.hash),
    });
    clearError(state, "push", b.localId);
    out.pushed++;
  }
  return out;
}

/** Tries again the records that failed before (the provider's by id, ours by id); how many went through now. */
async function retryErrors(
  ctx: SyncCtx,
  provider: ContactProvider,
  rules: SyncRules,
  state: SyncState,
): Promise<number> {
  let fixed = 0;
  for (const e of state.errors.slice(0, 10)) {
    try {
      if (e.side === "pull") {
        const r = await provider.get(e.id);
        if (r) await applyRemoteContact(ctx, provider, rules, r);
        clearError(state, "pull", e.id);
        fixed++;
        continue;
      }
      const c = await ctx.contacts.get(e.id);
      const fields = c ? localFields(c) : null;
      if (!c || !fields) {
        clearError(state, "push", e.id);
        continue;
      }
      const link = await ctx.sync.byLocal("contact", c.id);
      const done = await pushContacts(ctx, provider, state, [
        {
          externalId: link?.externalId ?? null,
          fields,
          only: ["name", "phone"],
          localId: c.id,
          hash: await contactHash(fields),
        },
      ]);
      fixed += done.pushed;
    } catch (error) {
      if (error instanceof RateLimited) throw error;
      noteError(state, { side: e.side, id: e.id, email: e.email, message: messageOf(error) });
    }
  }
  return fixed;
}

export type SyncRunResult = {
  pulled: number;
  pushed: number;
  skipped: number;
  failed: number;
  caughtUp: boolean;
};

/** One slice of the sync, both ways; a 429 ends it early and pauses the sync as the provider asked. */
export async function runContactSync(
  ctx: SyncCtx,
  provider: ContactProvider,
  opts: SyncOptions,
): Promise<SyncRunResult & { paused?: number }> {
  const now = opts.now ?? Date.now();
  const started = Date.now();
  const overBudget = () => Date.now() - started > SYNC_RUN_BUDGET_MS;
  const state = await loadSyncState(ctx.storage);
  const result: SyncRunResult = { pulled: 0, pushed: 0, skipped: 0, failed: 0, caughtUp: false };
  if (state.pausedUntil > now) return { ...result, paused: state.pausedUntil };
  try {
    result.pulled += await retryErrors(ctx, provider, opts.rules, state);
    // In: the provider's changes since the cursor. A page cut short by the budget is read again next
    // time (what was taken already is skipped by its hash).
    const page = await provider.changed(state.pullCursor, SYNC_PAGE);
    let pullDone = true;
    for (const r of page.records) {
      if (overBudget()) {
        pullDone = false;
        break;
      }
      try {
        const done = await applyRemoteContact(ctx, provider, opts.rules, r);
        result[done]++;
        clearError(state, "pull", r.id);
      } catch (error) {
        if (error instanceof RateLimited) throw error;
        result.failed++;
        noteError(state, {
          side: "pull",
          id: r.id,
          email: r.fields?.email ?? null,
          message: messageOf(error),
        });
      }
    }
    if (!pullDone) return result;
    state.pullCursor = page.next ?? state.pullCursor;
    if (overBudget()) return result;

    // Out: our changes since the cursor, a push at a time; the cursor moves past each push done.
    const changes = await ctx.contacts.changes({ after: state.pushCursor, limit: SYNC_PAGE });
    const size = Math.max(1, provider.pushBatch ?? SYNC_PAGE);
    let pushDone = true;
    for (let at = 0; at < changes.contacts.length; at += size) {
      if (at > 0 && overBudget()) {
        pushDone = false;
        break;
      }
      const slice = changes.contacts.slice(at, at + size);
      const batch: (PushInput & { localId: string; hash: string })[] = [];
      const remove: string[] = [];
      for (const c of slice) {
        const link = await ctx.sync.byLocal("contact", c.id);
        if (c.deleted) {
          if (link && opts.deletions === "mirror") remove.push(link.externalId);
          if (link) await ctx.sync.unlink("contact", c.id);
          continue;
        }
        const fields = localFields(c);
        if (!fields) {
          result.skipped++;
          continue;
        }
        const hash = await contactHash(fields);
        if (link && sideOf(link.hash, "l") === hash) {
          result.skipped++;
          continue;
        }
        // Fields the provider wins are never sent for a record it already has.
        const only = (["name", "phone"] as const).filter((f) => !(link && opts.rules[f] === "remote"));
        batch.push({ externalId: link?.externalId ?? null, fields, only, localId: c.id, hash });
      }
      const pushed = await pushContacts(ctx, provider, state, batch);
      result.pushed += pushed.pushed;
      result.failed += pushed.failed;
      if (remove.length > 0) {
        await provider.remove(remove);
        state.totals.archived += remove.length;
      }
      // A host before platform 1.3.0 gives no cursor per change: the page is read again, and what
      // went already is skipped by its hash.
      const reached = slice.at(-1)?.cursor;
      if (reached) state.pushCursor = reached;
    }
    if (pushDone && changes.next) state.pushCursor = changes.next;
    result.caughtUp = !page.more && pushDone && changes.contacts.length < SYNC_PAGE;
  } catch (error) {
    if (!(error instanceof RateLimited)) {
      if (error instanceof ProviderError && (error.status === 401 || error.status === 403))
        ctx.log.error(`${provider.name} refused the access token`, { status: error.status });
      throw error;
    }
    // Wait as asked, plus up to half as long again, so many workspaces do not all come back at once.
    const wait = error.afterSeconds * 1000 * (1 + Math.random() / 2);
    state.pausedUntil = now + Math.ceil(wait);
    ctx.log.warn(`${provider.name} rate limit: sync paused`, { seconds: Math.ceil(wait / 1000) });
  } finally {
    state.totals.pulled += result.pulled;
    state.totals.pushed += result.pushed;
    state.lastRun = { at: new Date(now).toISOString(), ...result };
    await saveSyncState(ctx.storage, state);
  }
  return state.pausedUntil > now ? { ...result, paused: state.pausedUntil } : result;
}

/** The sync's state as a report's rows: last run, counts, pause, and each record that failed. */
export function syncStatusRows(state: SyncState, providerName: string, now = Date.now()) {
  const row = (what: string, value: string | number | null) => ({ what, value });
  return [
    row("Last run", state.lastRun?.at ?? "never"),
    row("Up to date", state.lastRun ? (state.lastRun.caughtUp ? "yes" : "catching up") : "not yet"),
    row(`Contacts from ${providerName} (all runs)`, state.totals.pulled),
    row(`Contacts to ${providerName} (all runs)`, state.totals.pushed),
    row(`Deleted in ${providerName}`, state.totals.archived),
    row(
      `Paused by ${providerName} until`,
      state.pausedUntil > now ? new Date(state.pausedUntil).toISOString() : null,
    ),
    ...state.errors.map((e) =>
      row(`Failed (${e.side === "pull" ? "from" : "to"} ${providerName}): ${e.email ?? e.id}`, e.message),
    ),
  ];
}

/** What an install's settings say the rules are: `nameRule`, `phoneRule` (newest, ours, or the
 * provider's under `remoteName`, e.g. "hubspot") and `deletions`. */
export function syncOptionsOf(config: Record<string, unknown>, remoteName: string): SyncOptions {
  const rule = (value: unknown): SyncRule =>
    value === remoteName ? "remote" : value === "autopilot" ? "local" : "newest";
  return {
    rules: { name: rule(config.nameRule), phone: rule(config.phoneRule) },
    deletions: config.deletions === "mirror" ? "mirror" : "keep",
  };
}

type SyncHandlerCtx = SyncCtx & { config: Record<string, unknown>; fetch: typeof fetch };

/**
 * A sync plugin's usual handlers, to spread into definePlugin: a run on its schedule, the actions
 * `sync_now` and `retry_errors`, and the report `sync_status` (declare them in the manifest).
 */
export function contactSyncHandlers(
  providerOf: (ctx: SyncHandlerCtx) => ContactProvider,
  optionsOf: (config: Record<string, unknown>) => SyncOptions,
) {
  const run = (ctx: SyncHandlerCtx) => runContactSync(ctx, providerOf(ctx), optionsOf(ctx.config));
  return {
    async onSchedule(_name: string, ctx: SyncHandlerCtx) {
      ctx.log.info("sync run", await run(ctx));
    },
    actions: {
      sync_now: (_input: unknown, ctx: SyncHandlerCtx) => run(ctx),
      /** Lifts a rate-limit pause, then runs (the failed records are retried first in every run). */
      async retry_errors(_input: unknown, ctx: SyncHandlerCtx) {
        const state = await loadSyncState(ctx.storage);
        state.pausedUntil = 0;
        await saveSyncState(ctx.storage, state);
        return run(ctx);
      },
    },
    reports: {
      async sync_status(_parameters: unknown, ctx: SyncHandlerCtx) {
        return { rows: syncStatusRows(await loadSyncState(ctx.storage), providerOf(ctx).name) };
      },
    },
  };
}
