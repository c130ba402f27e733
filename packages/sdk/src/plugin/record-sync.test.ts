import { describe, expect, it } from "vitest";
import type { StorageCapability } from "./capabilities.js";
import { loadSyncState, settle, syncOptionsOf, syncStatusRows } from "./record-sync.js";
import { contactHash, parseStageMap } from "./sync-kinds.js";

const memory = (saved: unknown): StorageCapability => {
  const map = new Map<string, unknown>([["state", saved]]);
  return {
    get: async <T>(key: string) => (map.get(key) ?? null) as T | null,
    put: async (key, value) => void map.set(key, value),
    delete: async (key) => void map.delete(key),
    list: async () => [...map.keys()],
  };
};

describe("the sync engine's state and rules", () => {
  it("reads a contacts-only state saved before companies and deals, cursors and failures kept", async () => {
    const state = await loadSyncState(
      memory({
        pullCursor: 1733400000000,
        pushCursor: "MjAyNi0xMi0wMVQxMDowMDowMC4wMDAwMDBafDAw",
        pausedUntil: 0,
        hookUrl: "https://api.example.com/v1/hooks/x/events",
        totals: { pulled: 7, pushed: 3, archived: 1 },
        lastRun: null,
        errors: [
          { side: "push", id: "c1", email: "ann@x.test", message: "refused", at: "2026-12-01T10:00:00Z" },
        ],
      }),
    );
    expect(state.kinds).toEqual({
      contact: {
        pullCursor: "1733400000000",
        pushCursor: "MjAyNi0xMi0wMVQxMDowMDowMC4wMDAwMDBafDAw",
        totals: { pulled: 7, pushed: 3, archived: 1 },
      },
    });
    expect(state.hookUrl).toBe("https://api.example.com/v1/hooks/x/events");
    expect(state.errors).toEqual([
      {
        type: "contact",
        side: "push",
        id: "c1",
        label: "ann@x.test",
        message: "refused",
        at: "2026-12-01T10:00:00Z",
      },
    ]);
    expect("pullCursor" in state).toBe(false);
    // Nothing saved yet: an empty state.
    expect(await loadSyncState(memory(undefined))).toMatchObject({ kinds: {}, errors: [], lastRun: null });
  });

  it("settles each differing field by its rule, the default for the rest; null never wins over a value", () => {
    type F = { title: string; amount: number; stage: string; closeDate: string | null };
    const local: F = { title: "Ours", amount: 400, stage: "Proposal", closeDate: null };
    const remote: F = { title: "Theirs", amount: 300, stage: "Proposal", closeDate: "2027-01-01" };
    const fields = ["title", "amount", "stage", "closeDate"];
    const rules = syncOptionsOf({ nameRule: "acme", otherRule: "autopilot" }, "acme").rules;
    expect(rules).toEqual({ name: "remote", phone: "newest", default: "local" });
    // Single fields over those: any field by name; a word that is no rule is newest; junk is ignored.
    expect(
      syncOptionsOf(
        {
          otherRule: "acme",
          fieldRules: "amount = autopilot,\nstage=acme, title=whatever, junk, default=autopilot",
        },
        "acme",
      ).rules,
    ).toEqual({
      name: "newest",
      phone: "newest",
      default: "remote",
      amount: "local",
      stage: "remote",
      title: "newest",
    });
    expect(settle(fields, local, remote, { title: "remote", default: "local" }, 1, 2)).toEqual({
      title: "Theirs",
      amount: 400,
      stage: "Proposal",
      closeDate: "2027-01-01",
    });
    // newest: the later side, field by field.
    expect(settle(fields, local, remote, {}, 5, 2)).toMatchObject({ title: "Theirs", amount: 300 });
    expect(settle(fields, local, remote, {}, 1, 2)).toMatchObject({ title: "Ours", amount: 400 });
  });

  it("hashes a contact without a company as before companies synced (links made then still match)", async () => {
    const before = await contactHash({ email: "ann@x.test", name: "Ann", phone: null });
    expect(await contactHash({ email: "ANN@x.test", name: "Ann", phone: null, company: null })).toBe(before);
    expect(await contactHash({ email: "ann@x.test", name: "Ann", phone: null, company: "42" })).not.toBe(
      before,
    );
  });

  it("reads a stage map, and lists status rows a screen can act on", () => {
    expect(parseStageMap("New = Lead In,\nWon=Closed Won, broken, =x")).toEqual([
      ["New", "Lead In"],
      ["Won", "Closed Won"],
    ]);
    const rows = syncStatusRows(
      {
        kinds: {
          deal: { pullCursor: null, pushCursor: null, totals: { pulled: 2, pushed: 1, archived: 0 } },
        },
        pausedUntil: 0,
        busyUntil: 0,
        hookUrl: null,
        lastRun: null,
        errors: [{ type: "deal", side: "push", id: "d1", label: "Big deal", message: "refused", at: "x" }],
      },
      "Acme",
    );
    expect(rows.filter((r) => r.section === "totals")).toEqual([
      expect.objectContaining({ what: "Deals from Acme (all runs)", value: 2, type: "deal", side: "pull" }),
      expect.objectContaining({ what: "Deals to Acme (all runs)", value: 1, type: "deal", side: "push" }),
      expect.objectContaining({ what: "Deals deleted in Acme", value: 0, type: "deal", side: null }),
    ]);
    expect(rows.at(-1)).toEqual({
      section: "failed",
      what: "deal to Acme: Big deal",
      value: "refused",
      type: "deal",
      side: "push",
      id: "d1",
      at: "x",
    });
  });
});
