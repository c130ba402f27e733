import type {
  CompaniesReader,
  CompaniesWriter,
  ContactsReader,
  ContactsWriter,
  DealsReader,
  DealsWriter,
  Logger,
  StorageCapability,
} from "./capabilities.js";
import type { SyncCapability, SyncObject } from "./sync.js";

// Records kept the same in AutopilotCRM and another CRM, both ways: what HubSpot's and Pipedrive's
// plugins share, each giving only a provider per kind of record (how to read, write and delete there;
// sync-kinds.ts holds our side of contacts, companies and deals). One run takes a slice that fits a
// plugin call, kind by kind (companies, then contacts, then deals, so each finds the records it points
// at linked already): the provider's records changed since the pull cursor come in; ours changed since
// the push cursor go out. Each pair is linked (ctx.sync) with the remote version and the hashes of
// both sides' fields as last synced ("r:…|l:…"), so a side that did not change since is skipped: a
// second run changes nothing, neither side's echo of the other's write travels back, and a value one
// side cannot take does not bounce between them. Conflicts are settled per field by the configured
// rule. Fields that point at other records (a contact's company, a deal's contact) hold the provider's
// ids inside the engine; they are translated through the links on the way in and out.

export const SYNC_PAGE = 25;
/** A run stops taking records after this long, well inside a plugin call's 5 s (the rest waits for the next). */
export const SYNC_RUN_BUDGET_MS = 2500;
const MAX_ERRORS = 50;
/** The order kinds run in: what others point at first. */
export const SYNC_ORDER = ["company", "contact", "deal"] as const satisfies readonly SyncObject[];

export type FieldValue = string | number | null;
export type Fields = { [field: string]: FieldValue | undefined };

/** A record as the provider has it: `fields` null when it cannot be matched here (a contact with no email). */
export type RemoteRecord<F extends Fields> = {
  id: string;
  fields: F | null;
  version: string;
  modifiedAt: number;
};
export type PushInput<F extends Fields> = {
  /** The provider's id when the record is linked already. */
  externalId: string | null;
  fields: F;
  /** The settled fields to write (those the provider wins are left out of a linked record). */
  only: string[];
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

export interface RecordProvider<F extends Fields> {
  /** As people know it ("HubSpot"): in logs, errors and the `deleted-in-…` tag. */
  readonly name: string;
  /** How many changes one push takes (a batch API takes the page at once; one by one, the run's
   * time budget is checked between them). Default: a whole page. */
  readonly pushBatch?: number;
  /** One page of records changed since `cursor` (null: from the start), oldest first; `next` is the cursor after it. */
  changed(
    cursor: string | null,
    limit: number,
  ): Promise<{ records: RemoteRecord<F>[]; next: string | null; more: boolean }>;
  /** One record, or null when it is gone there. */
  get(id: string): Promise<RemoteRecord<F> | null>;
  /** Creates or updates each (by id when linked, else by its natural key); per input, the record now, or why not. */
  push(inputs: PushInput<F>[]): Promise<(RemoteRecord<F> | { error: string })[]>;
  /** Deletes (or archives) these there. */
  remove(ids: string[]): Promise<void>;
}

/** Our record as the engine sees it (fields pointing at other records hold our ids here). */
export type LocalRecord<F extends Fields> = { id: string; fields: F | null; updatedAt: string };
export type LocalChange<F extends Fields> = {
  id: string;
  /** Deleted, merged or erased here. */
  deleted: boolean;
  cursor?: string;
  record: LocalRecord<F> | null;
};

/** Our side of one kind of record: how to read, find, save and list changes of it (sync-kinds.ts). */
export interface RecordKind<F extends Fields> {
  readonly type: SyncObject;
  /** "contacts", for status rows. */
  readonly plural: string;
  /** Fields a conflict rule settles; the rest (a contact's email) are the provider's. */
  readonly ruleFields: readonly string[];
  /** Fields naming another synced record, and its kind. */
  readonly refs?: Readonly<Record<string, SyncObject>>;
  /** Why a provider's record without fields cannot come in. */
  readonly incomplete: string;
  hash(fields: F): Promise<string>;
  /** How people know the record (an email, a name), for errors. */
  label(fields: F | null): string | null;
  get(ctx: SyncCtx, id: string): Promise<LocalRecord<F> | null>;
  /** The local record a provider's record is when it is not linked yet (contacts: by email). */
  match(ctx: SyncCtx, fields: F): Promise<LocalRecord<F> | null>;
  /** Creates or updates ours; what it is now. */
  save(ctx: SyncCtx, fields: F, localId: string | null, providerName: string): Promise<LocalRecord<F>>;
  changes(
    ctx: SyncCtx,
    after: string | null,
    limit: number,
  ): Promise<{ items: LocalChange<F>[]; next: string | null }>;
  /** The provider deleted it and deletions are mirrored: what becomes of ours (tagged, or marked lost). */
  deletedThere(ctx: SyncCtx, localId: string, providerName: string): Promise<void>;
}

/** Which side wins a field that differs: the provider's, ours, or the one changed last. */
export type SyncRule = "remote" | "local" | "newest";
/** Per field name ("name", "phone", "amount"…), `default` for the rest (newest when not given). */
export type SyncRules = { [field: string]: SyncRule | undefined; default?: SyncRule };
export type SyncDeletions = "mirror" | "keep";
export type SyncOptions = { rules: SyncRules; deletions: SyncDeletions; now?: number };

export type SyncError = {
  type: SyncObject;
  side: "pull" | "push";
  /** The provider's id (pull) or ours (push). */
  id: string;
  /** How people know the record: an email, a name. */
  label: string | null;
  message: string;
  at: string;
};
export type KindTotals = { pulled: number; pushed: number; archived: number };
export type KindState = { pullCursor: string | null; pushCursor: string | null; totals: KindTotals };
export type SyncState = {
  kinds: Partial<Record<SyncObject, KindState>>;
  pausedUntil: number;
  /** A run under way holds the sync until then (ms), so a second one (Sync now mid-backfill) waits. */
  busyUntil: number;
  /** A webhook's public URL, for providers whose signature covers it. */
  hookUrl: string | null;
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

/** What the engine needs of `ctx`: the sync links, storage, the log, and the capabilities its kinds use. */
export type SyncCtx = {
  sync: SyncCapability;
  storage: StorageCapability;
  log: Logger;
  contacts: ContactsReader & ContactsWriter;
  companies?: CompaniesReader & CompaniesWriter;
  deals?: DealsReader & DealsWriter;
};

const STATE = "state";
export const emptySyncState = (): SyncState => ({
  kinds: {},
  pausedUntil: 0,
  busyUntil: 0,
  hookUrl: null,
  lastRun: null,
  errors: [],
});
const emptyKind = (): KindState => ({
  pullCursor: null,
  pushCursor: null,
  totals: { pulled: 0, pushed: 0, archived: 0 },
});

type SavedState = Omit<Partial<SyncState>, "errors"> & {
  // Before 1.2.0 of the HubSpot plugin and 1.1.0 of Pipedrive's, only contacts synced.
  pullCursor?: string | number | null;
  pushCursor?: string | null;
  totals?: KindTotals;
  errors?: (Partial<SyncError> & { email?: string | null })[];
};

export async function loadSyncState(storage: StorageCapability): Promise<SyncState> {
  const saved = (await storage.get<SavedState>(STATE)) ?? {};
  const state: SyncState = {
    ...emptySyncState(),
    pausedUntil: saved.pausedUntil ?? 0,
    busyUntil: saved.busyUntil ?? 0,
    hookUrl: saved.hookUrl ?? null,
    lastRun: saved.lastRun ?? null,
    kinds: { ...saved.kinds },
  };
  if (!saved.kinds && (saved.pullCursor != null || saved.pushCursor != null || saved.totals))
    state.kinds.contact = {
      pullCursor: saved.pullCursor == null ? null : String(saved.pullCursor),
      pushCursor: saved.pushCursor ?? null,
      totals: saved.totals ?? emptyKind().totals,
    };
  state.errors = (saved.errors ?? []).map((e) => ({
    type: e.type ?? "contact",
    side: e.side ?? "pull",
    id: e.id ?? "",
    label: e.label ?? e.email ?? null,
    message: e.message ?? "",
    at: e.at ?? new Date(0).toISOString(),
  }));
  return state;
}
export const saveSyncState = (storage: StorageCapability, state: SyncState) => storage.put(STATE, state);

/** How long a run holds the sync: longer than a plugin call may last, so a lost run frees it soon. */
const RUN_LEASE_MS = 10_000;
/** Takes the sync for this run, unless another run holds it; whether it was taken. */
async function claimRun(storage: StorageCapability, state: SyncState): Promise<boolean> {
  if (state.busyUntil > Date.now()) return false;
  state.busyUntil = Date.now() + RUN_LEASE_MS;
  await saveSyncState(storage, state);
  return true;
}
const kindState = (state: SyncState, type: SyncObject): KindState => {
  state.kinds[type] ??= emptyKind();
  return state.kinds[type];
};

/** Both sides' hashes as a link keeps them; an empty one never matches (that side goes again). */
const pair = (remote: string, local: string) => `r:${remote}|l:${local}`;
const sideOf = (hash: string | null | undefined, side: "r" | "l") =>
  hash
    ?.split("|")
    .find((x) => x.startsWith(`${side}:`))
    ?.slice(2) || null;

const ruleOf = (rules: SyncRules, field: string): SyncRule => rules[field] ?? rules.default ?? "newest";

/** Each rule field as the rule says (the provider's, ours, or the one changed last); the rest are the provider's. */
export function settle<F extends Fields>(
  ruleFields: readonly string[],
  local: F | null,
  remote: F,
  rules: SyncRules,
  remoteAt: number,
  localAt: number,
): F {
  if (!local) return remote;
  const out: Fields = { ...remote };
  for (const field of ruleFields) {
    const [mine, theirs] = [local[field] ?? null, remote[field] ?? null];
    if (mine === theirs) continue;
    const rule = ruleOf(rules, field);
    if (rule === "remote") out[field] = theirs ?? mine;
    else if (rule === "local") out[field] = mine ?? theirs;
    else out[field] = remoteAt >= localAt ? (theirs ?? mine) : (mine ?? theirs);
  }
  return out as F;
}

/** Fields pointing at other records, from our ids to the provider's (null where not linked yet). */
async function toRemoteIds<F extends Fields>(ctx: SyncCtx, kind: RecordKind<F>, fields: F): Promise<F> {
  const out: Fields = { ...fields };
  for (const [field, type] of Object.entries(kind.refs ?? {})) {
    const id = fields[field];
    out[field] = typeof id === "string" ? ((await ctx.sync.byLocal(type, id))?.externalId ?? null) : null;
  }
  return out as F;
}
/** …and from the provider's ids to ours. */
async function toLocalIds<F extends Fields>(ctx: SyncCtx, kind: RecordKind<F>, fields: F): Promise<F> {
  const out: Fields = { ...fields };
  for (const [field, type] of Object.entries(kind.refs ?? {})) {
    const id = fields[field];
    out[field] =
      typeof id === "string" || typeof id === "number"
        ? ((await ctx.sync.byExternal(type, String(id)))?.localId ?? null)
        : null;
  }
  return out as F;
}
const inRemoteIds = async <F extends Fields>(ctx: SyncCtx, kind: RecordKind<F>, r: LocalRecord<F> | null) =>
  r?.fields ? toRemoteIds(ctx, kind, r.fields) : null;

function noteError(state: SyncState, e: Omit<SyncError, "at">) {
  state.errors = [
    { ...e, at: new Date().toISOString() },
    ...state.errors.filter((x) => !(x.type === e.type && x.side === e.side && x.id === e.id)),
  ].slice(0, MAX_ERRORS);
}
const clearError = (state: SyncState, type: SyncObject, side: SyncError["side"], id: string) => {
  state.errors = state.errors.filter((x) => !(x.type === type && x.side === side && x.id === id));
};
const messageOf = (error: unknown) => String((error as Error)?.message ?? error);

/** A provider's record into AutopilotCRM (created, updated, or skipped as unchanged). */
export async function applyRemote<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: RecordProvider<F>,
  rules: SyncRules,
  r: RemoteRecord<F>,
): Promise<"pulled" | "skipped"> {
  const remote = r.fields;
  if (!remote) throw new Error(`the ${provider.name} ${kind.type} ${kind.incomplete}`);
  const remoteHash = await kind.hash(remote);
  const link = await ctx.sync.byExternal(kind.type, r.id);
  if (link && sideOf(link.hash, "r") === remoteHash) return "skipped";
  const known = link
    ? await kind.get(ctx, link.localId)
    : await kind.match(ctx, await toLocalIds(ctx, kind, remote));
  const local = await inRemoteIds(ctx, kind, known);
  // Not changed here since the last sync: no conflict, the provider's change is taken as it is (a
  // provider whose times are to the second would otherwise lose to our write in the same second).
  const unchangedHere = link && local && sideOf(link.hash, "l") === (await kind.hash(local));
  const settled = settle(
    kind.ruleFields,
    local,
    remote,
    unchangedHere ? { default: "remote" } : rules,
    r.modifiedAt,
    known ? Date.parse(known.updatedAt) : 0,
  );
  const saved = await kind.save(ctx, await toLocalIds(ctx, kind, settled), known?.id ?? null, provider.name);
  // Where our side won a field, the provider still has the other value: no local hash is kept, so the
  // push sends ours. (A value refused here, like an invalid phone, is not a difference to send back.)
  const oursWon = kind.ruleFields.some((f) => (settled[f] ?? null) !== (remote[f] ?? null));
  const savedFields = await inRemoteIds(ctx, kind, saved);
  await ctx.sync.link({
    objectType: kind.type,
    localId: saved.id,
    externalId: r.id,
    remoteVersion: r.version,
    hash: pair(remoteHash, oursWon || !savedFields ? "" : await kind.hash(savedFields)),
  });
  return "pulled";
}

/** A record deleted at the provider: unlinked here, and marked (kind.deletedThere) when deletions mirror. */
export async function remoteDeleted<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: Pick<RecordProvider<F>, "name">,
  deletions: SyncDeletions,
  externalId: string,
): Promise<void> {
  const link = await ctx.sync.byExternal(kind.type, externalId);
  if (!link) return;
  if (deletions === "mirror") await kind.deletedThere(ctx, link.localId, provider.name);
  await ctx.sync.unlink(kind.type, link.localId);
}

type Outgoing<F extends Fields> = PushInput<F> & { localId: string; hash: string };

/** Our records to the provider; per record, whether it went (and its link is kept). */
async function pushRecords<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: RecordProvider<F>,
  state: SyncState,
  batch: Outgoing<F>[],
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
        type: kind.type,
        side: "push",
        id: b.localId,
        label: kind.label(b.fields),
        message: r?.error ?? `${provider.name} did not take it`,
      });
      continue;
    }
    await ctx.sync.link({
      objectType: kind.type,
      localId: b.localId,
      externalId: r.id,
      remoteVersion: r.version,
      hash: pair(r.fields ? await kind.hash(r.fields) : "", b.hash),
    });
    clearError(state, kind.type, "push", b.localId);
    out.pushed++;
  }
  return out;
}

/** One of ours as it would go out: null when there is nothing to send (unchanged, or not sendable). */
async function outgoing<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  rules: SyncRules,
  record: LocalRecord<F>,
  force: boolean,
): Promise<Outgoing<F> | null> {
  const fields = await inRemoteIds(ctx, kind, record);
  if (!fields) return null;
  const link = await ctx.sync.byLocal(kind.type, record.id);
  const hash = await kind.hash(fields);
  if (!force && link && sideOf(link.hash, "l") === hash) return null;
  // Fields the provider wins are never sent for a record it already has.
  const only = kind.ruleFields.filter((f) => !(link && ruleOf(rules, f) === "remote"));
  return { externalId: link?.externalId ?? null, fields, only, localId: record.id, hash };
}

/** Tries one failed record again (the provider's by id, ours by id); true when it went through. */
async function retryOne<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: RecordProvider<F>,
  rules: SyncRules,
  state: SyncState,
  e: SyncError,
): Promise<boolean> {
  const done = await tryAgain(ctx, kind, provider, rules, state, e);
  if (done) kindState(state, kind.type).totals[e.side === "pull" ? "pulled" : "pushed"]++;
  return done;
}
async function tryAgain<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: RecordProvider<F>,
  rules: SyncRules,
  state: SyncState,
  e: SyncError,
): Promise<boolean> {
  try {
    if (e.side === "pull") {
      const r = await provider.get(e.id);
      if (r) await applyRemote(ctx, kind, provider, rules, r);
      clearError(state, kind.type, "pull", e.id);
      return true;
    }
    const record = await kind.get(ctx, e.id);
    const out = record ? await outgoing(ctx, kind, rules, record, true) : null;
    if (!out) {
      clearError(state, kind.type, "push", e.id);
      return true;
    }
    return (await pushRecords(ctx, kind, provider, state, [out])).pushed > 0;
  } catch (error) {
    if (error instanceof RateLimited) throw error;
    noteError(state, { ...e, message: messageOf(error) });
    return false;
  }
}

export type SyncRunResult = {
  pulled: number;
  pushed: number;
  skipped: number;
  failed: number;
  caughtUp: boolean;
};

/** One kind's slice: its failed records again, then a page in, then a page out. */
async function runKind<F extends Fields>(
  ctx: SyncCtx,
  kind: RecordKind<F>,
  provider: RecordProvider<F>,
  opts: SyncOptions,
  state: SyncState,
  result: SyncRunResult,
  overBudget: () => boolean,
): Promise<boolean> {
  const ks = kindState(state, kind.type);
  for (const e of state.errors.filter((x) => x.type === kind.type).slice(0, 10)) {
    if (overBudget()) return false;
    if (await retryOne(ctx, kind, provider, opts.rules, state, e))
      result[e.side === "pull" ? "pulled" : "pushed"]++;
  }
  // In: the provider's changes since the cursor. A page cut short by the budget is read again next
  // time (what was taken already is skipped by its hash).
  const page = await provider.changed(ks.pullCursor, SYNC_PAGE);
  for (const r of page.records) {
    if (overBudget()) return false;
    try {
      const done = await applyRemote(ctx, kind, provider, opts.rules, r);
      result[done]++;
      if (done === "pulled") ks.totals.pulled++;
      clearError(state, kind.type, "pull", r.id);
    } catch (error) {
      if (error instanceof RateLimited) throw error;
      result.failed++;
      noteError(state, {
        type: kind.type,
        side: "pull",
        id: r.id,
        label: kind.label(r.fields),
        message: messageOf(error),
      });
    }
  }
  ks.pullCursor = page.next ?? ks.pullCursor;
  if (overBudget()) return false;

  // Out: our changes since the cursor, a push at a time; the cursor moves past each push done.
  const changes = await kind.changes(ctx, ks.pushCursor, SYNC_PAGE);
  const size = Math.max(1, provider.pushBatch ?? SYNC_PAGE);
  for (let at = 0; at < changes.items.length; at += size) {
    if (at > 0 && overBudget()) return false;
    const slice = changes.items.slice(at, at + size);
    const batch: Outgoing<F>[] = [];
    const remove: string[] = [];
    for (const c of slice) {
      if (c.deleted || !c.record) {
        const link = await ctx.sync.byLocal(kind.type, c.id);
        if (link && opts.deletions === "mirror") remove.push(link.externalId);
        if (link) await ctx.sync.unlink(kind.type, c.id);
        continue;
      }
      const out = await outgoing(ctx, kind, opts.rules, c.record, false);
      if (out) batch.push(out);
      else result.skipped++;
    }
    const pushed = await pushRecords(ctx, kind, provider, state, batch);
    result.pushed += pushed.pushed;
    result.failed += pushed.failed;
    ks.totals.pushed += pushed.pushed;
    if (remove.length > 0) {
      await provider.remove(remove);
      ks.totals.archived += remove.length;
    }
    // A host before platform 1.3.0 gives no cursor per change: the page is read again, and what
    // went already is skipped by its hash.
    const reached = slice.at(-1)?.cursor;
    if (reached) ks.pushCursor = reached;
  }
  if (changes.next) ks.pushCursor = changes.next;
  return !page.more && changes.items.length < SYNC_PAGE;
}

/** The providers of one sync, per kind of record (a plugin may sync contacts only). */
export type SyncSetup = {
  [T in SyncObject]?: { kind: RecordKind<Fields>; provider: RecordProvider<Fields> };
};

/** One slice of the sync, both ways, kind by kind; a 429 ends it early and pauses the sync as the provider asked. */
export async function runSync(
  ctx: SyncCtx,
  setup: SyncSetup,
  opts: SyncOptions,
): Promise<SyncRunResult & { paused?: number; busy?: boolean }> {
  const now = opts.now ?? Date.now();
  const started = Date.now();
  const overBudget = () => Date.now() - started > SYNC_RUN_BUDGET_MS;
  const state = await loadSyncState(ctx.storage);
  const result: SyncRunResult = { pulled: 0, pushed: 0, skipped: 0, failed: 0, caughtUp: false };
  if (state.pausedUntil > now) return { ...result, paused: state.pausedUntil };
  // Two runs side by side could both create the same new record there: the second one waits.
  if (!(await claimRun(ctx.storage, state))) return { ...result, busy: true };
  let name = "The provider";
  try {
    let caughtUp = true;
    for (const type of SYNC_ORDER) {
      const s = setup[type];
      if (!s) continue;
      name = s.provider.name;
      // A kind not caught up keeps the budget: the next kinds wait (they may point at its records).
      caughtUp = (await runKind(ctx, s.kind, s.provider, opts, state, result, overBudget)) && caughtUp;
      if (!caughtUp) break;
    }
    result.caughtUp = caughtUp;
  } catch (error) {
    if (!(error instanceof RateLimited)) {
      if (error instanceof ProviderError && (error.status === 401 || error.status === 403))
        ctx.log.error(`${name} refused the access token`, { status: error.status });
      throw error;
    }
    // Wait as asked, plus up to half as long again, so many workspaces do not all come back at once.
    const wait = error.afterSeconds * 1000 * (1 + Math.random() / 2);
    state.pausedUntil = now + Math.ceil(wait);
    ctx.log.warn(`${name} rate limit: sync paused`, { seconds: Math.ceil(wait / 1000) });
  } finally {
    state.lastRun = { at: new Date(now).toISOString(), ...result };
    state.busyUntil = 0;
    await saveSyncState(ctx.storage, state);
  }
  return state.pausedUntil > now ? { ...result, paused: state.pausedUntil } : result;
}

/** Tries the failed records again now (one of them, or all that fit the run's time); how many went through. */
export async function retryFailed(
  ctx: SyncCtx,
  setup: SyncSetup,
  opts: SyncOptions,
  which?: { type: SyncObject; side: SyncError["side"]; id: string },
): Promise<{ retried: number; fixed: number; failed: number; busy?: boolean }> {
  const started = Date.now();
  const state = await loadSyncState(ctx.storage);
  if (!(await claimRun(ctx.storage, state))) return { retried: 0, fixed: 0, failed: 0, busy: true };
  state.pausedUntil = 0;
  const chosen = state.errors.filter(
    (e) => !which || (e.type === which.type && e.side === which.side && e.id === which.id),
  );
  let fixed = 0;
  let retried = 0;
  try {
    for (const e of chosen) {
      const s = setup[e.type];
      if (!s) continue;
      if (Date.now() - started > SYNC_RUN_BUDGET_MS) break;
      retried++;
      if (await retryOne(ctx, s.kind, s.provider, opts.rules, state, e)) fixed++;
    }
  } catch (error) {
    if (!(error instanceof RateLimited)) throw error;
    state.pausedUntil = Date.now() + Math.ceil(error.afterSeconds * 1000 * (1 + Math.random() / 2));
  } finally {
    state.busyUntil = 0;
    await saveSyncState(ctx.storage, state);
  }
  return { retried, fixed, failed: retried - fixed };
}

/** A status report's row; `type`, `side` and `id` on a failed record's (what retry_record takes). */
export type SyncStatusRow = {
  section: "summary" | "totals" | "failed";
  what: string;
  value: string | number | null;
  type: SyncObject | null;
  side: SyncError["side"] | null;
  id: string | null;
  at: string | null;
};

/** The sync's state as a report's rows: last run, counts per kind, pause, and each record that failed. */
export function syncStatusRows(state: SyncState, providerName: string, now = Date.now()): SyncStatusRow[] {
  const row = (
    section: SyncStatusRow["section"],
    what: string,
    value: string | number | null,
  ): SyncStatusRow => ({
    section,
    what,
    value,
    type: null,
    side: null,
    id: null,
    at: null,
  });
  const plural = { contact: "Contacts", company: "Companies", deal: "Deals" } as const;
  return [
    row("summary", "Last run", state.lastRun?.at ?? "never"),
    row(
      "summary",
      "Up to date",
      state.lastRun ? (state.lastRun.caughtUp ? "yes" : "catching up") : "not yet",
    ),
    row(
      "summary",
      `Paused by ${providerName} until`,
      state.pausedUntil > now ? new Date(state.pausedUntil).toISOString() : null,
    ),
    ...SYNC_ORDER.flatMap((type) => {
      const k = state.kinds[type];
      if (!k) return [];
      // `type` and `side` say which count a row is (side null: deleted there), for a screen's table.
      return [
        {
          ...row("totals", `${plural[type]} from ${providerName} (all runs)`, k.totals.pulled),
          type,
          side: "pull" as const,
        },
        {
          ...row("totals", `${plural[type]} to ${providerName} (all runs)`, k.totals.pushed),
          type,
          side: "push" as const,
        },
        { ...row("totals", `${plural[type]} deleted in ${providerName}`, k.totals.archived), type },
      ];
    }),
    ...state.errors.map((e) => ({
      section: "failed" as const,
      what: `${e.type} ${e.side === "pull" ? "from" : "to"} ${providerName}: ${e.label ?? e.id}`,
      value: e.message,
      type: e.type,
      side: e.side,
      id: e.id,
      at: e.at,
    })),
  ];
}

/**
 * What an install's settings say the rules are: `nameRule`, `phoneRule`, `otherRule` (newest, ours, or
 * the provider's under `remoteName`, e.g. "hubspot"), `fieldRules` for any field by name ("amount =
 * hubspot, stage = autopilot": it overrides the others) and `deletions`.
 */
export function syncOptionsOf(config: Record<string, unknown>, remoteName: string): SyncOptions {
  const rule = (value: unknown): SyncRule =>
    value === remoteName ? "remote" : value === "autopilot" ? "local" : "newest";
  const rules: SyncRules = {
    name: rule(config.nameRule),
    phone: rule(config.phoneRule),
    default: rule(config.otherRule),
  };
  for (const part of String(config.fieldRules ?? "").split(/[,\n]/)) {
    const [field, value] = part.split("=").map((x) => x.trim());
    if (field && value && field !== "default") rules[field] = rule(value);
  }
  return { rules, deletions: config.deletions === "mirror" ? "mirror" : "keep" };
}

/** The settings every sync plugin shows for its rules, as JSON Schema properties (`remoteName`: "hubspot"). */
export function syncRuleSettings(remoteName: string, remoteTitle: string) {
  const rule = { type: "string", enum: ["newest", remoteName, "autopilot"], default: "newest" } as const;
  return {
    nameRule: { ...rule, title: "When the name differs", description: "newest: the side changed last wins." },
    phoneRule: { ...rule, title: "When the phone differs" },
    otherRule: {
      ...rule,
      title: "When anything else differs",
      description: "A contact's company, a company's domain, a deal's amount, stage, close date…",
    },
    fieldRules: {
      type: "string",
      title: "Rules for single fields",
      description: `Field = rule, comma-separated, over the ones above: e.g. "amount = ${remoteName}, stage = autopilot". Fields: name, phone, company, domain, title, amount, currency, stage, status, closeDate, contact. ${remoteTitle}'s side is "${remoteName}", ours "autopilot".`,
      maxLength: 1000,
    },
  } as const;
}

type SyncHandlerCtx = SyncCtx & { config: Record<string, unknown>; fetch: typeof fetch };

/** The input of the action `retry_record` (declare it in the manifest with this schema). */
export const RETRY_RECORD_INPUT = {
  type: "object",
  required: ["type", "side", "id"],
  properties: {
    type: { type: "string", enum: ["contact", "company", "deal"], title: "Record type" },
    side: { type: "string", enum: ["pull", "push"], title: "Direction" },
    id: { type: "string", minLength: 1, maxLength: 200, title: "Record id" },
  },
} as const;

/**
 * A sync plugin's usual handlers, to spread into definePlugin: a run on its schedule, the actions
 * `sync_now`, `retry_errors` and `retry_record`, and the report `sync_status` (declare them in the manifest).
 */
export function syncHandlers(
  setupOf: (ctx: SyncHandlerCtx) => SyncSetup,
  optionsOf: (config: Record<string, unknown>) => SyncOptions,
) {
  const run = (ctx: SyncHandlerCtx) => runSync(ctx, setupOf(ctx), optionsOf(ctx.config));
  return {
    /** A run; while it is not caught up (a backfill), the platform runs it again at once (or after a pause). */
    async onSchedule(_name: string, ctx: SyncHandlerCtx) {
      const out = await run(ctx);
      ctx.log.info("sync run", out);
      if (out.paused)
        return { again: true, afterSeconds: Math.max(1, Math.ceil((out.paused - Date.now()) / 1000)) };
      // Another run holds the sync (Sync now): this one comes back once it is done.
      if (out.busy) return { again: true, afterSeconds: RUN_LEASE_MS / 1000 };
      return out.caughtUp ? {} : { again: true, afterSeconds: 1 };
    },
    actions: {
      sync_now: (_input: unknown, ctx: SyncHandlerCtx) => run(ctx),
      /** Lifts a rate-limit pause and tries every failed record again now (as many as fit the call). */
      retry_errors: (_input: unknown, ctx: SyncHandlerCtx) =>
        retryFailed(ctx, setupOf(ctx), optionsOf(ctx.config)),
      /** One failed record again: `{ type, side, id }` as the status report lists it. */
      async retry_record(input: unknown, ctx: SyncHandlerCtx) {
        const i = (input ?? {}) as { type?: SyncObject; side?: SyncError["side"]; id?: string };
        const found = (await loadSyncState(ctx.storage)).errors.some(
          (e) => e.type === i.type && e.side === i.side && e.id === i.id,
        );
        if (!found || !i.type || !i.side || !i.id) return { retried: 0, fixed: 0, failed: 0, found: false };
        const done = await retryFailed(ctx, setupOf(ctx), optionsOf(ctx.config), {
          type: i.type,
          side: i.side,
          id: i.id,
        });
        return { ...done, found: true };
      },
    },
    reports: {
      async sync_status(_parameters: unknown, ctx: SyncHandlerCtx) {
        const name = Object.values(setupOf(ctx)).find(Boolean)?.provider.name ?? "the provider";
        return { rows: syncStatusRows(await loadSyncState(ctx.storage), name) };
      },
    },
  };
}
