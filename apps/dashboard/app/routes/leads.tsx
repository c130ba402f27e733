import { type ChangeEvent, useRef } from "react";
import { Form, Link, useFetcher, useSearchParams } from "react-router";
import { FilterInput, FilterSelect } from "../components/filters.js";
import { ListBody, NextPage } from "../components/list-page.js";
import { ScoreLines } from "../components/score-lines.js";
import { api } from "../lib/api.server.js";
import { LEAD_STATUS_LABEL, LEAD_STATUSES, memberName } from "../lib/crm.js";
import { errorMessage, loadMembers } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/leads";

export const meta: Route.MetaFunction = () => [{ title: "Leads · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

const STATUS_LABEL = LEAD_STATUS_LABEL;

export async function loader({ request, context }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const client = api(request, context);
  const status = LEAD_STATUSES.find((s) => s === params.get("status"));
  const minScore = params.get("minScore") ? Number(params.get("minScore")) : undefined;
  const sort = params.get("sort") === "score" ? "score" : "created_at";
  const [list, members] = await Promise.all([
    client.GET("/v1/leads", {
      params: {
        query: {
          status,
          ownerId: params.get("ownerId") || undefined,
          minScore,
          cursor: params.get("cursor") || undefined,
          sort,
          order: "desc",
          limit: 50,
        },
      },
    }),
    loadMembers(client),
  ]);
  const leads = list.data?.leads ?? [];
  // Contact names for the page's leads (the lead holds the contact's id), in one read.
  const contactIds = [...new Set(leads.map((l) => l.contactId))];
  const contacts =
    contactIds.length === 0
      ? []
      : ((
          await client.GET("/v1/contacts", {
            params: { query: { ids: contactIds.join(","), limit: contactIds.length } },
          })
        ).data?.contacts ?? []);
  return {
    leads,
    nextCursor: list.data?.nextCursor ?? null,
    error: list.data ? null : errorMessage(list.error, "The leads could not be loaded."),
    members,
    contacts: Object.fromEntries(contacts.map((c) => [c.id, c.name || c.email || c.phone || "Unnamed"])),
  };
}

/** Bulk assign: each selected lead to one member, back to the queue, or through the assignment rules. */
export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const ids = form.getAll("lead").filter((v): v is string => typeof v === "string");
  const to = String(form.get("assignTo") ?? "");
  const none = { assigned: 0, queued: [] as string[], failed: [] as string[] };
  if (ids.length === 0) return { error: "Select at least one lead.", ...none };
  if (!to) return { error: "Choose whom to assign them to.", ...none };
  const results = await Promise.all(
    ids.map((id) =>
      to === "rules"
        ? client.POST("/v1/leads/{id}/assign", { params: { path: { id } } })
        : client.POST("/v1/leads/{id}/assign", {
            params: { path: { id } },
            body: { ownerId: to === "queue" ? null : to },
          }),
    ),
  );
  const failed = results.flatMap((r) => (r.error ? [errorMessage(r.error)] : []));
  // The rules may leave a lead in the queue (nobody online, no rule matched): say why.
  const queued = results.flatMap((r) =>
    r.data && !r.data.lead.ownerId && to !== "queue" ? [r.data.reason] : [],
  );
  return { error: null, assigned: ids.length - failed.length - queued.length, queued, failed };
}

/** "Assigned 2 leads. 1 left in the queue: nobody is online." */
function summary(r: { assigned: number; queued: string[]; failed: string[] }): string {
  const parts = [`Assigned ${r.assigned} lead${r.assigned === 1 ? "" : "s"}.`];
  if (r.queued.length)
    parts.push(`${r.queued.length} left in the queue: ${[...new Set(r.queued)].join("; ")}.`);
  if (r.failed.length) parts.push(`${r.failed.length} failed: ${r.failed.join("; ")}`);
  return parts.join(" ");
}

export default function Leads({ loaderData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { leads, nextCursor, error, members, contacts } = loaderData;
  const [params] = useSearchParams();
  const focus = params.get("lead");
  const fetcher = useFetcher<typeof action>();
  const table = useRef<HTMLTableElement>(null);
  const selectAll = (event: ChangeEvent<HTMLInputElement>) => {
    for (const box of table.current?.querySelectorAll<HTMLInputElement>('input[name="lead"]') ?? [])
      box.checked = event.currentTarget.checked;
  };
  const result = fetcher.data;
  const busy = fetcher.state !== "idle";
  return (
    <>
      <div className="page-head">
        <h1>Leads</h1>
        <Link to="/leads/import" className="button">
          Import CSV
        </Link>
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter leads">
        <FilterSelect
          id="f-status"
          name="status"
          label="Status"
          options={[
            { value: "", label: "Any" },
            ...LEAD_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })),
          ]}
        />
        <FilterSelect
          id="f-owner"
          name="ownerId"
          label="Owner"
          options={[
            { value: "", label: "Anyone" },
            ...members.map((m) => ({ value: m.userId, label: m.name })),
          ]}
        />
        <FilterInput id="f-min" name="minScore" type="number" min={0} max={100} label="Minimum score" />
        <FilterSelect
          id="f-sort"
          name="sort"
          label="Sort by"
          fallback="created_at"
          options={[
            { value: "created_at", label: "Newest" },
            { value: "score", label: "Score" },
          ]}
        />
        <button type="submit">Filter</button>
      </Form>
      <ListBody
        error={error}
        empty={
          leads.length === 0 &&
          "No leads match. Leads appear when a chat form or the API creates them, or when you import a CSV file."
        }
      >
        <fetcher.Form method="post">
          <fieldset className="bulk">
            <legend className="visually-hidden">Assign the selected leads</legend>
            <div>
              <label htmlFor="assign-to">Assign selected to</label>
              <select id="assign-to" name="assignTo" defaultValue="rules">
                <option value="rules">Run the assignment rules</option>
                <option value="queue">Nobody (back to the queue)</option>
                {members.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Assigning…" : "Assign"}
            </button>
            <p className="status-line small" role="status">
              {result ? (result.error ? "" : summary(result)) : ""}
              <span className="inline-error">{result?.error ?? ""}</span>
            </p>
          </fieldset>
          <div className="table-wrap">
            <table className="data-table stack" ref={table}>
              <thead>
                <tr>
                  <th scope="col">
                    <input type="checkbox" aria-label="Select all leads" onChange={selectAll} />
                  </th>
                  <th scope="col">Lead</th>
                  <th scope="col">Score</th>
                  <th scope="col">Status</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Source</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {leads.map((l) => {
                  const name = contacts[l.contactId] ?? "Contact";
                  return (
                    <tr
                      key={l.id}
                      id={`lead-${l.id}`}
                      data-lead={l.id}
                      aria-current={focus === l.id ? "true" : undefined}
                    >
                      <td data-label="Select">
                        <input type="checkbox" name="lead" value={l.id} aria-label={`Select ${name}`} />
                      </td>
                      <td data-label="Lead">
                        <div>
                          <Link to={`/leads/${l.id}`}>{name}</Link>
                          {l.title ? <div className="muted small">{l.title}</div> : null}
                        </div>
                      </td>
                      <td data-label="Score">
                        <div>
                          <span className="score">
                            <meter
                              min={0}
                              max={100}
                              low={40}
                              high={70}
                              optimum={100}
                              value={l.score}
                              aria-hidden="true"
                            />
                            {l.score}
                          </span>
                          <details className="breakdown" open={focus === l.id}>
                            <summary>Breakdown</summary>
                            <ScoreLines lines={l.scoreBreakdown} />
                          </details>
                        </div>
                      </td>
                      <td data-label="Status">
                        <span className="badge">{STATUS_LABEL[l.status]}</span>
                      </td>
                      <td data-label="Owner" data-owner>
                        {memberName(members, l.ownerId)}
                      </td>
                      <td data-label="Source">{l.source}</td>
                      <td data-label="Created">{day(l.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </fetcher.Form>
      </ListBody>
      <NextPage cursor={nextCursor} />
    </>
  );
}
