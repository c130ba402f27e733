/** Closed deals that reached a stage (entered it at some point), split by outcome. */
export type StageReach = { stageId: string; won: number; lost: number };
export type StageWinRate = StageReach & { winRate: number | null };

/** Of the closed deals that reached each stage, the share that was won (null when none closed). */
export function winRateByStage(reach: readonly StageReach[]): StageWinRate[] {
  return reach.map((r) => {
    const closed = r.won + r.lost;
    return { ...r, winRate: closed === 0 ? null : Math.round((r.won / closed) * 10_000) / 10_000 };
  });
}

export type VelocityInput = {
  openDeals: number;
  wonDeals: number;
  lostDeals: number;
  wonAmount: number;
  /** Mean days from creation to close, over won deals. */
  averageCycleDays: number;
};

export type Velocity = {
  averageDealSize: number;
  winRate: number;
  averageCycleDays: number;
  /** Expected revenue per day: open deals × average deal size × win rate ÷ cycle length. */
  perDay: number;
};

/** Sales velocity; zero when there is no history to base it on. */
export function salesVelocity(v: VelocityInput): Velocity {
  const closed = v.wonDeals + v.lostDeals;
  const averageDealSize = v.wonDeals === 0 ? 0 : v.wonAmount / v.wonDeals;
  const winRate = closed === 0 ? 0 : v.wonDeals / closed;
  const perDay = v.averageCycleDays > 0 ? (v.openDeals * averageDealSize * winRate) / v.averageCycleDays : 0;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    averageDealSize: r(averageDealSize),
    winRate: Math.round(winRate * 10_000) / 10_000,
    averageCycleDays: r(v.averageCycleDays),
    perDay: r(perDay),
  };
}
