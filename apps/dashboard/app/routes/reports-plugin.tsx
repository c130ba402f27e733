import { Form, Link } from "react-router";
import { BarChart, LineChart } from "../components/charts.js";
import { FormError } from "../components/form.js";
import { PluginConfigFields } from "../components/plugin-config.js";
import { api } from "../lib/api.server.js";
import { csvHref } from "../lib/csv.js";
import { type FormErrors, formErrors } from "../lib/forms.js";
import { configProperties } from "../lib/plugin-config.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/reports-plugin";

// A report of an installed report plugin (issue 19): its parameter form generated from the schema it
// declares, and its answer as a table and a chart drawn with the platform's chart components (nothing
// of the plugin runs in the page), with CSV export. GET form: the URL is the report, shareable.

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.report.title ?? "Report"} · Reports · AutopilotCRM` },
];

type Rows = Record<string, string | number | null>[];

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const { data, response } = await client.GET("/v1/plugins/reports");
  if (!data) throw new Response("Could not load the plugin reports", { status: response.status });
  const report = data.reports.find((r) => r.installId === params.installId && r.id === params.reportId);
  if (!report) throw new Response("No such report", { status: 404 });
  const url = new URL(request.url);
  const properties = configProperties(report.parameters);
  // The form's values: the URL's, else sensible dates (the last 30 days) and the schema's defaults.
  const values: Record<string, unknown> = {};
  for (const p of properties) {
    const raw = url.searchParams.get(`config.${p.name}`);
    // A ticked box is sent as "on", an unticked one not at all (so only a submitted form means false).
    if (p.kind === "boolean") values[p.name] = url.searchParams.has("run") ? raw === "on" : p.fallback;
    else if (raw !== null && raw !== "") values[p.name] = p.kind === "number" ? Number(raw) : raw;
    else if (p.kind === "date" && (p.name === "from" || p.name === "to"))
      values[p.name] = p.name === "from" ? day(new Date(Date.now() - 29 * 86_400_000)) : day(new Date());
    else if (p.fallback !== undefined) values[p.name] = p.fallback;
  }
  const run = await client.POST("/v1/plugins/installs/{id}/reports/{reportId}", {
    params: { path: { id: report.installId, reportId: report.id } },
    body: { parameters: values },
  });
  // The API names parameters "parameters.x"; the form's fields are "config.x".
  const refused = run.data
    ? null
    : formErrors(
        run.error,
        properties.map((p) => `parameters.${p.name}`),
      );
  const errors: FormErrors | null = refused && {
    form: refused.form,
    fields: Object.fromEntries(
      Object.entries(refused.fields).map(([field, message]) => [`config.${field.slice(11)}`, message]),
    ),
  };
  return { report, values, answer: run.data ?? null, errors };
}

export default function PluginReport({ loaderData }: Route.ComponentProps) {
  const { report, values, answer, errors } = loaderData;
  const rows = (answer?.rows ?? []) as Rows;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const chart = answer?.chart;
  const Chart = chart?.type === "line" ? LineChart : BarChart;
  return (
    <>
      <p className="small">
        <Link to="/reports">← Reports</Link>
      </p>
      <h1>{report.title}</h1>
      <p className="muted small">From the plugin {report.pluginName}.</p>
      <Form method="get" className="card" aria-label="Report parameters" noValidate>
        <input type="hidden" name="run" value="1" />
        <FormError errors={errors ?? undefined} />
        <PluginConfigFields
          schema={report.parameters}
          values={values}
          secretsSet={[]}
          errors={errors ?? undefined}
          idPrefix="param"
        />
        <button type="submit" className="primary">
          Show report
        </button>
      </Form>
      {answer ? (
        <section className="card" aria-labelledby="answer-title">
          <div className="page-head">
            <h2 id="answer-title">Result</h2>
            {rows.length ? (
              <a className="small" href={csvHref(rows)} download={`${report.id}.csv`}>
                Export CSV
              </a>
            ) : null}
          </div>
          {rows.length === 0 ? (
            <p className="empty">No figures for these parameters.</p>
          ) : (
            <>
              {chart ? (
                <Chart
                  title={report.title}
                  labels={rows.map((r) => String(r[chart.x] ?? ""))}
                  series={chart.y.map((y, i) => ({
                    name: y,
                    values: rows.map((r) => (typeof r[y] === "number" ? (r[y] as number) : 0)),
                    className: `s${(i % 3) + 1}`,
                  }))}
                />
              ) : null}
              <div className="table-wrap">
                <table className="table" data-plugin-report={report.id}>
                  <caption className="visually-hidden">{report.title}</caption>
                  <thead>
                    <tr>
                      {columns.map((c) => (
                        <th key={c} scope="col">
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; their order is the report's.
                      <tr key={i}>
                        {columns.map((c) => (
                          <td key={c} className={typeof r[c] === "number" ? "num" : undefined}>
                            {r[c] ?? ""}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
