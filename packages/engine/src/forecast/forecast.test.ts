import { describe, expect, it } from "vitest";
import { forecastByMonthAndOwner, sumForecast } from "./forecast.js";
import { salesVelocity, winRateByStage } from "./rates.js";
import type { ForecastRow } from "./types.js";

const open = (
  month: string,
  ownerId: string,
  amount: number,
  probability: number,
  fc: ForecastRow["forecastCategory"],
): ForecastRow => ({
  month,
  ownerId,
  stageCategory: "open",
  forecastCategory: fc,
  probability,
  amount,
});

describe("forecastByMonthAndOwner", () => {
  // Hand-computed:
  // March / ann: open 10,000 @ 20% (pipeline), 5,000 @ 60% (best case), 8,000 @ 80% (commit), won 3,000, lost 9,999
  //   pipeline = 10,000 + 5,000 + 8,000 = 23,000; weighted = 2,000 + 3,000 + 6,400 = 11,400
  //   closedWon = 3,000; commit = 3,000 + 8,000 = 11,000; bestCase = 11,000 + 5,000 = 16,000
  // March / bob: open 1,000.50 @ 50% (commit) → pipeline 1,000.50, weighted 500.25, commit 1,000.50
  // April / ann: two deals pre-summed by the database: 4,000 @ 10% (count 2)
  const rows: ForecastRow[] = [
    open("2026-03", "ann", 10_000, 20, "pipeline"),
    open("2026-03", "ann", 5_000, 60, "best_case"),
    open("2026-03", "ann", 8_000, 80, "commit"),
    {
      month: "2026-03",
      ownerId: "ann",
      stageCategory: "won",
      forecastCategory: "pipeline",
      probability: 100,
      amount: 3_000,
    },
    {
      month: "2026-03",
      ownerId: "ann",
      stageCategory: "lost",
      forecastCategory: "commit",
      probability: 0,
      amount: 9_999,
    },
    open("2026-03", "bob", 1_000.5, 50, "commit"),
    { ...open("2026-04", "ann", 4_000, 10, "pipeline"), count: 2 },
  ];

  it("equals the hand-computed figures", () => {
    const cells = forecastByMonthAndOwner(rows);
    expect(cells).toEqual([
      {
        month: "2026-03",
        ownerId: "ann",
        pipeline: 23_000,
        bestCase: 16_000,
        commit: 11_000,
        closedWon: 3_000,
        weighted: 11_400,
        openDeals: 3,
        wonDeals: 1,
      },
      {
        month: "2026-03",
        ownerId: "bob",
        pipeline: 1_000.5,
        bestCase: 1_000.5,
        commit: 1_000.5,
        closedWon: 0,
        weighted: 500.25,
        openDeals: 1,
        wonDeals: 0,
      },
      {
        month: "2026-04",
        ownerId: "ann",
        pipeline: 4_000,
        bestCase: 0,
        commit: 0,
        closedWon: 0,
        weighted: 400,
        openDeals: 2,
        wonDeals: 0,
      },
    ]);
    expect(sumForecast(cells)).toEqual({
      pipeline: 28_000.5,
      bestCase: 17_000.5,
      commit: 12_000.5,
      closedWon: 3_000,
      weighted: 12_300.25,
      openDeals: 6,
      wonDeals: 1,
    });
  });
});

describe("win rate and velocity", () => {
  it("win rate by stage is won ÷ closed among deals that reached the stage", () => {
    expect(
      winRateByStage([
        { stageId: "lead-in", won: 3, lost: 7 },
        { stageId: "proposal", won: 3, lost: 1 },
        { stageId: "new", won: 0, lost: 0 },
      ]),
    ).toEqual([
      { stageId: "lead-in", won: 3, lost: 7, winRate: 0.3 },
      { stageId: "proposal", won: 3, lost: 1, winRate: 0.75 },
      { stageId: "new", won: 0, lost: 0, winRate: null },
    ]);
  });

  it("velocity = open × average size × win rate ÷ cycle", () => {
    // 20 open × (60,000 / 4 = 15,000) × (4 / 10 = 0.4) ÷ 30 days = 4,000 per day
    expect(
      salesVelocity({ openDeals: 20, wonDeals: 4, lostDeals: 6, wonAmount: 60_000, averageCycleDays: 30 }),
    ).toEqual({
      averageDealSize: 15_000,
      winRate: 0.4,
      averageCycleDays: 30,
      perDay: 4_000,
    });
    expect(
      salesVelocity({ openDeals: 5, wonDeals: 0, lostDeals: 0, wonAmount: 0, averageCycleDays: 0 }).perDay,
    ).toBe(0);
  });
});
