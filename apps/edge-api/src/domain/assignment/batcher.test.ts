import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.js";

describe("Batcher", () => {
  it("runs a lone item at once, then what arrived meanwhile as one batch, in order", async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => i * 10);
    });
    const out = await Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)));
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it("caps a batch, and a failing batch fails only its own callers", async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 1));
      if (items.includes(3)) throw new Error("boom");
      return items;
    }, 2);
    const out = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => b.submit(i)));
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
    expect(out.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
  });

  it("says so when the batch answers for fewer items than it took", async () => {
    const b = new Batcher<number, number>(async () => []);
    await expect(b.submit(1)).rejects.toThrow(/no outcome/);
  });
});
