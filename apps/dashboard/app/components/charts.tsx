// Charts for the reports screen, drawn with visx (Airbnb's React SVG primitives, pinned 4.0.0, React 19):
// d3-scale from @visx/vendor for the linear/band scales and their nice ticks, @visx/shape for the line
// path and bars, @visx/group for offsets. visx renders plain SVG elements from React, so the charts are
// in the SSR HTML on Workers (no client-only canvas, no hydration flash, no layout shift: each chart has a
// fixed viewBox and CSS aspect ratio) and print and scale cleanly; none of these modules touches
// window/document at import. Imported per module, not the visx umbrella: @visx/axis and @visx/grid were
// tried and dropped (+7.6 KB gz together: axis draws its labels with @visx/text, which measures words in
// the DOM on the client and bundles a CSS calc() parser), as was @visx/scale's config wrapper (+3.5 KB gz,
// d3-time for time scales' "nice").
// Measured with `react-router build`: the reports route chunk is 36.4 KB / 13.7 KB gz (was 10.4 KB /
// 3.5 KB gz with hand-written SVG math); most of the +10 KB gz is d3-scale's interpolators and number
// formatting. Recharts (~100 KB gz) and Chart.js (~70 KB gz, canvas, nothing in SSR) cost far more.
// Each chart has a text alternative: an aria-label summary and the data as a table under "Show data".

import { Group } from "@visx/group";
import { Bar, LinePath } from "@visx/shape";
import { scaleBand, scaleLinear } from "@visx/vendor/d3-scale";

export type Series = { name: string; values: number[]; className: string };

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };
const IW = W - PAD.left - PAD.right;
const IH = H - PAD.top - PAD.bottom;
const Y_TICKS = 4;

function fmt(n: number): string {
  return Math.abs(n) >= 10_000 ? `${Math.round(n / 1000)}k` : String(Math.round(n * 100) / 100);
}

/** Value axis shared by both charts: 0 up to a nice maximum (an all-zero series still gets 0..1). */
function valueScale(series: Series[]) {
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  return scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .range([IH, 0])
    .nice(Y_TICKS);
}

/** Grid lines and their labels at the value scale's nice ticks. */
function ValueAxis({ y }: { y: ReturnType<typeof valueScale> }) {
  return (
    <g className="grid">
      {y.ticks(Y_TICKS).map((t) => (
        <g key={t}>
          <line x1={0} x2={IW} y1={y(t)} y2={y(t)} />
          <text x={-6} y={y(t) + 4} className="axis" textAnchor="end">
            {fmt(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Category labels under the plot. */
function LabelAxis({ ticks }: { ticks: { x: number; label: string }[] }) {
  return (
    <g>
      {ticks.map((t) => (
        <text key={t.x} x={t.x} y={IH + PAD.bottom - 8} className="axis" textAnchor="middle">
          {t.label}
        </text>
      ))}
    </g>
  );
}

/** Lines over periods (trends). */
export function LineChart({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  const y = valueScale(series);
  // By index, so a single period sits in the middle.
  const x = scaleLinear()
    .domain(labels.length <= 1 ? [-1, 1] : [0, labels.length - 1])
    .range([0, IW]);
  const every = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary(labels, series)}`}>
        <Group left={PAD.left} top={PAD.top}>
          <ValueAxis y={y} />
          <LabelAxis
            ticks={labels.flatMap((l, i) => (i % every === 0 ? [{ x: x(i), label: l.slice(5) }] : []))}
          />
          {series.map((s) => (
            <g key={s.name} className={s.className}>
              <LinePath<number>
                className="line"
                data={s.values}
                x={(_, i) => x(i)}
                y={(v) => y(v)}
                fill="none"
                strokeWidth={2}
              />
              {s.values.length <= 40
                ? s.values.map((v, i) => <circle key={labels[i]} cx={x(i)} cy={y(v)} r={3} />)
                : null}
            </g>
          ))}
        </Group>
      </svg>
      <Legend series={series} />
      <DataTable labels={labels} series={series} />
    </figure>
  );
}

/** Grouped vertical bars (forecast by month). */
export function BarChart({ labels, series, title }: { labels: string[]; series: Series[]; title: string }) {
  const y = valueScale(series);
  const x0 = scaleBand().domain(labels).range([0, IW]).paddingInner(0.2).paddingOuter(0.1);
  // Bars at most 28 wide, centred in their month, so a range of one or two months keeps slim bars.
  const groupWidth = Math.min(x0.bandwidth(), 28 * series.length);
  const x1 = scaleBand()
    .domain(series.map((s) => s.name))
    .range([0, groupWidth])
    .paddingInner(0.1);
  const inset = (x0.bandwidth() - groupWidth) / 2;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary(labels, series)}`}>
        <Group left={PAD.left} top={PAD.top}>
          <ValueAxis y={y} />
          <LabelAxis ticks={labels.map((l) => ({ x: (x0(l) ?? 0) + x0.bandwidth() / 2, label: l }))} />
          {labels.map((l, i) => (
            <Group key={l} left={(x0(l) ?? 0) + inset}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                return (
                  <Bar
                    key={s.name}
                    className={s.className}
                    x={x1(s.name) ?? 0}
                    y={y(v)}
                    width={x1.bandwidth()}
                    height={IH - y(v)}
                  >
                    <title>{`${s.name} ${l}: ${fmt(v)}`}</title>
                  </Bar>
                );
              })}
            </Group>
          ))}
        </Group>
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
  const width = scaleLinear()
    .domain([0, Math.max(1, ...rows.map((r) => r.value))])
    .range([0, 100]);
  return (
    <ul className="bar-list">
      {rows.map((r) => (
        <li key={r.label}>
          <span className="bar-label">{r.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${width(r.value)}%` }} />
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
