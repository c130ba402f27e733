// Charts for the reports screen, drawn as plain SVG/HTML on the server. No charting library: the
// charts here are bars and lines over at most a few hundred points, which SVG draws in ~150 lines,
// so they add no dependency and only this file's ~1.5 KB gz to the route chunk (the whole reports route,
// charts and live panel included, builds to 10.7 KB / 3.6 KB gz), render in the SSR HTML (no
// client-only canvas, no hydration flash, no layout shift: every chart has a fixed aspect ratio), and
// print and scale cleanly. (Recharts ~100 KB gz, Chart.js ~70 KB gz with a canvas that SSR cannot draw,
// uPlot ~20 KB gz client-only — all more than this page needs.) Each chart has a text alternative: an aria-label summary and the data
// as a table under "Show data".

export type Series = { name: string; values: number[]; className: string };

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

function fmt(n: number): string {
  return Math.abs(n) >= 10_000 ? `${Math.round(n / 1000)}k` : String(Math.round(n * 100) / 100);
}

/** Lines over periods (trends). */
export function LineChart({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? iw / 2 : (i / (labels.length - 1)) * iw);
  const y = (v: number) => PAD.top + ih - (v / max) * ih;
  const every = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary(labels, series)}`}>
        <Grid max={max} />
        {labels.map((l, i) =>
          i % every === 0 ? (
            <text key={l} x={x(i)} y={H - 8} className="axis" textAnchor="middle">
              {l.slice(5)}
            </text>
          ) : null,
        )}
        {series.map((s) => (
          <g key={s.name} className={s.className}>
            <polyline
              fill="none"
              strokeWidth={2}
              points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")}
            />
            {s.values.length <= 40
              ? s.values.map((v, i) => <circle key={labels[i]} cx={x(i)} cy={y(v)} r={3} />)
              : null}
          </g>
        ))}
      </svg>
      <Legend series={series} />
      <DataTable labels={labels} series={series} />
    </figure>
  );
}

/** Grouped vertical bars (forecast by month). */
export function BarChart({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const group = iw / Math.max(1, labels.length);
  const bar = Math.min(28, (group * 0.8) / Math.max(1, series.length));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary(labels, series)}`}>
        <Grid max={max} />
        {labels.map((l, i) => {
          const x0 = PAD.left + i * group + (group - bar * series.length) / 2;
          return (
            <g key={l}>
              {series.map((s, k) => {
                const v = s.values[i] ?? 0;
                const h = (v / max) * ih;
                return (
                  <rect
                    key={s.name}
                    className={s.className}
                    x={x0 + k * bar}
                    y={PAD.top + ih - h}
                    width={bar - 2}
                    height={h}
                  >
                    <title>{`${s.name} ${l}: ${fmt(v)}`}</title>
                  </rect>
                );
              })}
              <text x={PAD.left + i * group + group / 2} y={H - 8} className="axis" textAnchor="middle">
                {l}
              </text>
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
      <DataTable labels={labels} series={series} />
    </figure>
  );
}

/** Horizontal bars, each with its value (funnel steps, leaderboard). Plain HTML: it wraps on phones. */
export function BarList({
  rows,
  unit,
}: {
  rows: { label: string; value: number; note?: string }[];
  unit?: string;
}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul className="bar-list">
      {rows.map((r) => (
        <li key={r.label}>
          <span className="bar-label">{r.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${(r.value / max) * 100}%` }} />
          </span>
          <span className="bar-value">
            {fmt(r.value)}
            {unit ?? ""}
            {r.note ? <span className="muted small"> {r.note}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Grid({ max }: { max: number }) {
  const ih = H - PAD.top - PAD.bottom;
  return (
    <g className="grid">
      {[0, 0.25, 0.5, 0.75, 1].map((f) => {
        const y = PAD.top + ih - f * ih;
        return (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 6} y={y + 4} className="axis" textAnchor="end">
              {fmt(max * f)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <figcaption className="legend">
      {series.map((s) => (
        <span key={s.name} className={s.className}>
          <span className="swatch" aria-hidden="true" /> {s.name}
        </span>
      ))}
    </figcaption>
  );
}

function DataTable({ labels, series }: { labels: string[]; series: Series[] }) {
  return (
    <details className="chart-data">
      <summary>Show data</summary>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Period</th>
              {series.map((s) => (
                <th key={s.name} scope="col" className="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr key={l}>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td key={s.name} className="num">
                    {fmt(s.values[i] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function summary(labels: string[], series: Series[]): string {
  if (labels.length === 0) return "no data";
  return series
    .map((s) => `${s.name} total ${fmt(s.values.reduce((a, b) => a + b, 0))}`)
    .join(", ")
    .concat(` over ${labels.length} periods from ${labels[0]} to ${labels[labels.length - 1]}`);
}
