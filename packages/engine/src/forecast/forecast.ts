import type { ForecastCell, ForecastRow } from "./types.js";

const cents = (n: number) => Math.round(n * 100) / 100;

function emptyCell(month: string | null, ownerId: string | null): ForecastCell {
  return {
    month,
    ownerId,
    pipeline: 0,
    bestCase: 0,
    commit: 0,
    closedWon: 0,
    weighted: 0,
    openDeals: 0,
    wonDeals: 0,
  };
}

function add(cell: ForecastCell, row: ForecastRow): void {
  const count = row.count ?? 1;
  if (row.stageCategory === "lost") return;
  if (row.stageCategory === "won") {
    cell.closedWon += row.amount;
    cell.commit += row.amount;
    cell.bestCase += row.amount;
    cell.wonDeals += count;
    return;
  }
  cell.pipeline += row.amount;
  cell.weighted += (row.amount * row.probability) / 100;
  cell.openDeals += count;
  if (row.forecastCategory === "commit") cell.commit += row.amount;
  if (row.forecastCategory !== "pipeline") cell.bestCase += row.amount;
}

function rounded(cell: ForecastCell): ForecastCell {
  return {
    ...cell,
    pipeline: cents(cell.pipeline),
    bestCase: cents(cell.bestCase),
    commit: cents(cell.commit),
    closedWon: cents(cell.closedWon),
    weighted: cents(cell.weighted),
  };
}

const order = (a: string | null, b: string | null) => (a ?? "\uffff").localeCompare(b ?? "\uffff");

/**
 * The weighted forecast by close month and owner (amounts are summed as given: the caller keeps one
 * currency per call). Lost deals count for nothing. Sorted by month (undated last), then owner.
 */
export function forecastByMonthAndOwner(rows: readonly ForecastRow[]): ForecastCell[] {
  const cells = new Map<string, ForecastCell>();
  for (const row of rows) {
    const key = `${row.month ?? ""}|${row.ownerId ?? ""}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = emptyCell(row.month, row.ownerId);
      cells.set(key, cell);
    }
    add(cell, row);
  }
  return [...cells.values()]
    .map(rounded)
    .sort((a, b) => order(a.month, b.month) || order(a.ownerId, b.ownerId));
}

/** Sums cells (e.g. a month across owners, or everything). */
export function sumForecast(cells: readonly ForecastCell[]): Omit<ForecastCell, "month" | "ownerId"> {
  const total = emptyCell(null, null);
  for (const c of cells) {
    total.pipeline += c.pipeline;
    total.bestCase += c.bestCase;
    total.commit += c.commit;
    total.closedWon += c.closedWon;
    total.weighted += c.weighted;
    total.openDeals += c.openDeals;
    total.wonDeals += c.wonDeals;
  }
  const { month: _m, ownerId: _o, ...rest } = rounded(total);
  return rest;
}
