import {
  type ContactsReader,
  type ContactsWriter,
  type ContactView,
  hex,
  type Logger,
  type StorageCapability,
  type SyncCapability,
} from "@autopilot/sdk";
import { type HubSpot, HubSpotError, RateLimited, type RemoteContact } from "./hubspot.js";

// One sync run, both ways, in slices that fit a plugin call: HubSpot's contacts modified since the
// pull cursor come in; AutopilotCRM's contacts changed since the push cursor go out (batch upsert by
// email). Each pair is linked (ctx.sync) with the remote version and the hashes of both sides' fields
// as last synced ("r:…|l:…"), so a side that did not change since is skipped: a second run changes
// nothing, neither side's echo of the other's write travels back, and a value one side cannot take (a
// phone AutopilotCRM finds invalid) does not bounce between them. Conflicts are settled per field by
// the configured rule.

export const PAGE = 25;
/** A run stops taking records after this long, well inside a plugin call's 5 s (the rest waits for the next). */
export const RUN_BUDGET_MS = 2500;
const MAX_ERRORS = 50;

export type Rule = "hubspot" | "autopilot" | "newest";
export type Rules = { name: Rule; phone: Rule };
export type Deletions = "mirror" | "keep";

type Fields = { email: string; name: string | null; phone: string | null };
export type SyncError = {
  side: "pull" | "push";
  id: string;
  email: string | null;
  message: string;
  at: string;
};
export type SyncState = {
  pullCursor: number;
  pushCursor: string | null;
  pausedUntil: number;
  /** The events webhook's public URL (its signature covers the full URI). */
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
export const emptyState = (): SyncState => ({
  pullCursor: 0,
  pushCursor: null,
  pausedUntil: 0,
  hookUrl: null,
  totals: { pulled: 0, pushed: 0, archived: 0 },
  lastRun: null,
  errors: [],
});
export const loadState = async (storage: StorageCapability) => ({
  ...emptyState(),
  ...((await storage.get<SyncState>(STATE)) ?? {}),
});
export const saveState = (storage: StorageCapability, state: SyncState) => storage.put(STATE, state);

/** A stable hash of the synced fields (the first 128 bits of SHA-256, hex). */
export async function hashOf(f: Fields): Promise<string> {
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

export function remoteFields(r: RemoteContact): Fields | null {
  const email = r.properties.email?.trim().toLowerCase();
  if (!email) return null;
  const name = [r.properties.firstname, r.properties.lastname]
    .filter((x) => x?.trim())
    .join(" ")
    .trim();
  return { email, name: name || null, phone: r.properties.phone?.trim() || null };
}

/** The remote side's hash as HubSpot now has the record (after our upsert, its answer). */
const remoteHashOf = async (r: RemoteContact) => {
  const f = remoteFields(r);
  return f ? hashOf(f) : "";
};

const localFields = (c: ContactView): Fields | null =>
  c.email ? { email: c.email.toLowerCase(), name: c.name, phone: c.phone } : null;

function toHubSpot(f: Fields, only: (keyof Fields)[]): Record<string, string> {
  const props: Record<string, string> = {};
  if (only.includes("name") && f.name) {
    const [first, ...rest] = f.name.split(" ");
    props.firstname = first ?? "";
    props.lastname = rest.join(" ");
  }
  if (only.includes("phone") && f.phone) props.phone = f.phone;
  return props;
}

const remoteTime = (r: RemoteContact) => Date.parse(r.properties.lastmodifieddate ?? r.updatedAt) || 0;

/** Each field as the rule says: HubSpot's, ours, or the one changed last. */
export function settle(
  local: Fields | null,
  remote: Fields,
  rules: Rules,
  remoteAt: number,
  localAt: number,
): Fields {
  if (!local) return remote;
  const pick = (field: "name" | "phone"): string | null => {
    const [mine, theirs] = [local[field], remote[field]];
    if (mine === theirs) return mine;
    const rule = rules[field];
    if (rule === "hubspot") return theirs ?? mine;
    if (rule === "autopilot") return mine ?? theirs;
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

/** A HubSpot contact into AutopilotCRM (created, updated, or skipped as unchanged). */
export async function applyRemote(
  ctx: SyncCtx,
  rules: Rules,
  r: RemoteContact,
): Promise<"pulled" | "skipped"> {
  const remote = remoteFields(r);
  if (!remote) throw new Error("the HubSpot contact has no email");
  const remoteHash = await hashOf(remote);
  const link = await ctx.sync.byExternal("contact", r.id);
  if (link && sideOf(link.hash, "r") === remoteHash) return "skipped";
  const known = link ? await ctx.contacts.get(link.localId) : await ctx.contacts.findByEmail(remote.email);
  const local = known ? localFields(known) : null;
  const settled = settle(local, remote, rules, remoteTime(r), known ? Date.parse(known.updatedAt) : 0);
  const upsert = (withPhone: boolean) =>
    ctx.contacts.upsert({
      email: settled.email,
      ...(settled.name ? { name: settled.name } : {}),
      ...(withPhone && settled.phone ? { phone: settled.phone } : {}),
    });
  // A phone AutopilotCRM does not take (no country code, not a number) stays in HubSpot only.
  const saved = await upsert(true).catch((error: unknown) => {
    if (!settled.phone || !/phone/i.test(String((error as Error).message))) throw error;
    ctx.log.warn("phone not taken from HubSpot", { id: r.id, error: String((error as Error).message) });
    return upsert(false);
  });
  // Where our side won a field, HubSpot still has the other value: no local hash is kept, so the push
  // sends ours. (A value refused here, like an invalid phone, is not a difference to send back.)
  const oursWon = settled.name !== remote.name || settled.phone !== remote.phone;
  const savedFields = localFields(saved);
  await ctx.sync.link({
    objectType: "contact",
    localId: saved.id,
    externalId: r.id,
    remoteVersion: r.properties.lastmodifieddate ?? r.updatedAt,
    hash: pair(remoteHash, oursWon || !savedFields ? "" : await hashOf(savedFields)),
  });
  return "pulled";
}

/** Tries again the records that failed before (HubSpot's by id, ours by id); how many went through now. */
export async function retryErrors(
  ctx: SyncCtx,
  api: HubSpot,
  rules: Rules,
  state: SyncState,
): Promise<number> {
  let fixed = 0;
  for (const e of state.errors.slice(0, 10)) {
    try {
      if (e.side === "pull") await applyRemote(ctx, rules, await api.getContact(e.id));
      else {
        const c = await ctx.contacts.get(e.id);
        const fields = c ? localFields(c) : null;
        if (c && fields) {
          const [r] = (
            await api.upsertByEmail([
              { email: fields.email, properties: toHubSpot(fields, ["name", "phone"]) },
            ])
          ).results;
          if (!r) throw new Error("HubSpot did not take it");
          await ctx.sync.link({
            objectType: "contact",
            localId: c.id,
            externalId: r.id,
            remoteVersion: r.updatedAt,
            hash: pair(await remoteHashOf(r), await hashOf(fields)),
          });
        }
      }
      clearError(state, e.side, e.id);
      fixed++;
    } catch (error) {
      if (error instanceof RateLimited) throw error;
      noteError(state, { side: e.side, id: e.id, email: e.email, message: String((error as Error).message) });
    }
  }
  return fixed;
}

export type RunResult = {
  pulled: number;
  pushed: number;
  skipped: number;
  failed: number;
  caughtUp: boolean;
};

/** One slice of the sync, both ways; a 429 ends it early and pauses the sync as HubSpot asked. */
export async function runSync(
  ctx: SyncCtx,
  api: HubSpot,
  opts: { rules: Rules; deletions: Deletions; now?: number },
): Promise<RunResult & { paused?: number }> {
  const now = opts.now ?? Date.now();
  const started = Date.now();
  const overBudget = () => Date.now() - started > RUN_BUDGET_MS;
  const state = await loadState(ctx.storage);
  const result: RunResult = { pulled: 0, pushed: 0, skipped: 0, failed: 0, caughtUp: false };
  if (state.pausedUntil > now) return { ...result, paused: state.pausedUntil };
  try {
    result.pulled += await retryErrors(ctx, api, opts.rules, state);
    // In: HubSpot's changes since the cursor (a millisecond earlier, so equal times are not lost:
    // what was taken already is skipped by its hash).
    const page = await api.searchModifiedAfter(Math.max(0, state.pullCursor - 1), PAGE);
    let pullCaughtUp = page.results.length < PAGE;
    for (const r of page.results) {
      if (overBudget()) {
        pullCaughtUp = false;
        break;
      }
      try {
        const done = await applyRemote(ctx, opts.rules, r);
        result[done]++;
        clearError(state, "pull", r.id);
      } catch (error) {
        if (error instanceof RateLimited) throw error;
        result.failed++;
        noteError(state, {
          side: "pull",
          id: r.id,
          email: r.properties.email ?? null,
          message: String((error as Error).message),
        });
      }
      state.pullCursor = Math.max(state.pullCursor, remoteTime(r));
    }
    if (overBudget()) return result;

    // Out: our changes since the cursor, in one batch upsert.
    const changes = await ctx.contacts.changes({ after: state.pushCursor, limit: PAGE });
    const batch: { email: string; properties: Record<string, string>; localId: string; hash: string }[] = [];
    const archive: string[] = [];
    for (const c of changes.contacts) {
      const link = await ctx.sync.byLocal("contact", c.id);
      if (c.deleted) {
        if (link && opts.deletions === "mirror") archive.push(link.externalId);
        if (link) await ctx.sync.unlink("contact", c.id);
        continue;
      }
      const fields = localFields(c);
      if (!fields) {
        result.skipped++;
        continue;
      }
      const hash = await hashOf(fields);
      if (link && sideOf(link.hash, "l") === hash) {
        result.skipped++;
        continue;
      }
      // Fields HubSpot wins are never sent for a record HubSpot already has.
      const send = (["name", "phone"] as const).filter((f) => !(link && opts.rules[f] === "hubspot"));
      batch.push({ email: fields.email, properties: toHubSpot(fields, send), localId: c.id, hash });
    }
    if (batch.length > 0) {
      const answer = await api.upsertByEmail(batch.map(({ email, properties }) => ({ email, properties })));
      const byEmail = new Map(answer.results.map((r) => [r.properties.email?.toLowerCase() ?? "", r]));
      for (const b of batch) {
        const r = byEmail.get(b.email);
        if (!r) {
          result.failed++;
          noteError(state, {
            side: "push",
            id: b.localId,
            email: b.email,
            message: "HubSpot did not take it",
          });
          continue;
        }
        await ctx.sync.link({
          objectType: "contact",
          localId: b.localId,
          externalId: r.id,
          remoteVersion: r.properties.lastmodifieddate ?? r.updatedAt,
          hash: pair(await remoteHashOf(r), b.hash),
        });
        clearError(state, "push", b.localId);
        result.pushed++;
      }
    }
    if (archive.length > 0) {
      await api.archive(archive);
      state.totals.archived += archive.length;
    }
    if (changes.next) state.pushCursor = changes.next;
    result.caughtUp = pullCaughtUp && changes.contacts.length < PAGE;
  } catch (error) {
    if (!(error instanceof RateLimited)) {
      if (error instanceof HubSpotError && (error.status === 401 || error.status === 403))
        ctx.log.error("HubSpot refused the access token", { status: error.status });
      throw error;
    }
    // Wait as HubSpot said, plus up to half as long again, so many workspaces do not all come back at once.
    const wait = error.afterSeconds * 1000 * (1 + Math.random() / 2);
    state.pausedUntil = now + Math.ceil(wait);
    ctx.log.warn("HubSpot rate limit: sync paused", { seconds: Math.ceil(wait / 1000) });
  } finally {
    state.totals.pulled += result.pulled;
    state.totals.pushed += result.pushed;
    state.lastRun = { at: new Date(now).toISOString(), ...result };
    await saveState(ctx.storage, state);
  }
  return state.pausedUntil > now ? { ...result, paused: state.pausedUntil } : result;
}
