// Rows as CSV (RFC 4180: quoted where needed, CRLF), and as a link the browser downloads.

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  // A leading = + - @ would be a formula in a spreadsheet: quoted with a ' so it stays text.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function toCsv(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns.map(cell).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join(
    "\r\n",
  );
}

export const csvHref = (rows: Record<string, unknown>[]) =>
  `data:text/csv;charset=utf-8,${encodeURIComponent(toCsv(rows))}`;
