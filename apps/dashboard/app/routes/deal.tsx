import { Link, useFetcher } from "react-router";
import { ActivityForm } from "../components/activity-form.js";
import { InlineError } from "../components/form.js";
import { Timeline } from "../components/timeline.js";
import { api } from "../lib/api.server.js";
import { memberName } from "../lib/crm.js";
import { errorMessage, loadFailed, loadMembers, logActivity } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import { text } from "../lib/forms.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/deal";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.deal.title ?? "Deal"} · AutopilotCRM` },
];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const id = params.id;
  const [deal, history, activities, members] = await Promise.all([
    client.GET("/v1/deals/{id}", { params: { path: { id } } }),
    client.GET("/v1/deals/{id}/history", { params: { path: { id } } }),
    client.GET("/v1/activities", { params: { query: { dealId: id, limit: 200 } } }),
    loadMembers(client),
  ]);
  if (!deal.data) loadFailed("Deal", deal.response);
  const [pipeline, contact] = await Promise.all([
    client.GET("/v1/pipelines/{id}", { params: { path: { id: deal.data.pipelineId } } }),
    deal.data.contactId
      ? client.GET("/v1/contacts/{id}", { params: { path: { id: deal.data.contactId } } })
      : Promise.resolve(undefined),
  ]);
  return {
    deal: deal.data,
    stages: pipeline.data?.stages ?? [],
    pipelineName: pipeline.data?.name ?? "",
    history: history.data?.history ?? [],
    activities: activities.data?.activities ?? [],
    contact: contact?.data
      ? { id: contact.data.id, name: contact.data.name || contact.data.email || "Contact" }
      : null,
    members,
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const client = api(request, context);
  const form = await request.formData();
  const intent = text(form, "intent");
  if (intent === "activity") return logActivity(client, form, { dealId: params.id });
  if (intent === "complete") {
    const { error } = await client.PATCH("/v1/activities/{id}", {
      params: { path: { id: text(form, "activity") } },
      body: { completed: text(form, "completed") === "true" },
    });
    return error ? { error: errorMessage(error) } : { ok: true };
  }
  const { error } = await client.PATCH("/v1/deals/{id}", {
    params: { path: { id: params.id } },
    body: { stageId: text(form, "stageId"), reason: text(form, "reason") || undefined },
  });
  return error ? { error: errorMessage(error) } : { ok: true };
}

export default function Deal({ loaderData }: Route.ComponentProps) {
  const { when, day, money } = useFormats();
  const { deal, stages, pipelineName, history, activities, contact, members } = loaderData;
  const stageName = (id: string | null) => stages.find((s) => s.id === id)?.name ?? "—";
  const tasks = activities.filter((a) => a.kind === "task");
  return (
    <>
      <p className="small">
        <Link to={`/deals?pipeline=${deal.pipelineId}`}>← {pipelineName || "Deals"}</Link>
      </p>
      <h1>{deal.title}</h1>
      <div className="detail-grid">
        <div>
          <div className="card">
            <h2>Details</h2>
            <dl className="facts">
              <dt>Amount</dt>
              <dd>{money(deal.amount, deal.currency)}</dd>
              <dt>Stage</dt>
              <dd>
                {stageName(deal.stageId)}
                {deal.status && deal.status !== "open" ? ` (${deal.status})` : ""}
              </dd>
              <dt>Owner</dt>
              <dd>{memberName(members, deal.ownerId)}</dd>
              <dt>Contact</dt>
              <dd>{contact ? <Link to={`/contacts/${contact.id}`}>{contact.name}</Link> : "—"}</dd>
              <dt>Close date</dt>
              <dd>{day(deal.expectedCloseDate)}</dd>
              <dt>Forecast</dt>
              <dd>{deal.forecastCategory}</dd>
              {deal.lostReason ? (
                <>
                  <dt>Lost because</dt>
                  <dd>{deal.lostReason}</dd>
                </>
              ) : null}
            </dl>
            <MoveDeal current={deal.stageId} stages={stages} />
          </div>
          <ActivityForm />
          <div className="card">
            <h2>Stage history</h2>
            {history.length ? (
              <ol className="plain">
                {history.map((h) => (
                  <li key={`${h.changedAt}-${h.toStageId}`}>
                    {h.fromStageId ? `${stageName(h.fromStageId)} → ` : "Created in "}
                    {stageName(h.toStageId)} <span className="muted small">· {when(h.changedAt)}</span>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="muted">No moves yet.</p>
            )}
          </div>
        </div>
        <div>
          {tasks.length ? (
            <section className="card" aria-labelledby="tasks-title">
              <h2 id="tasks-title">Tasks</h2>
              <ul className="plain">
                {tasks.map((t) => (
                  <TaskItem key={t.id} task={t} />
                ))}
              </ul>
            </section>
          ) : null}
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Activities</h2>
            <Timeline activities={activities} members={members} />
          </section>
        </div>
      </div>
    </>
  );
}

function MoveDeal({
  current,
  stages,
}: {
  current: string;
  stages: { id: string; name: string; category: string }[];
}) {
  const fetcher = useFetcher<typeof action>();
  const error = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  return (
    <fetcher.Form method="post" className="form-grid">
      <input type="hidden" name="intent" value="move" />
      <div className="field">
        <label htmlFor="deal-stage">Move to stage</label>
        <select id="deal-stage" name="stageId" defaultValue={current} key={current}>
          {stages.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="deal-reason">Reason (won or lost)</label>
        <input id="deal-reason" name="reason" maxLength={500} />
      </div>
      <div className="wide">
        <button type="submit" disabled={fetcher.state !== "idle"}>
          Move
        </button>{" "}
        <InlineError error={error} />
      </div>
    </fetcher.Form>
  );
}

function TaskItem({
  task,
}: {
  task: { id: string; subject: string; dueAt: string | null; completedAt: string | null };
}) {
  const { when } = useFormats();
  const fetcher = useFetcher<typeof action>();
  const done = fetcher.formData ? fetcher.formData.get("completed") === "true" : Boolean(task.completedAt);
  return (
    <li>
      <fetcher.Form method="post" className="row">
        <input type="hidden" name="intent" value="complete" />
        <input type="hidden" name="activity" value={task.id} />
        <input type="hidden" name="completed" value={String(!done)} />
        <button type="submit" aria-pressed={done} className="link-button">
          {done ? "☑" : "☐"} <span className="visually-hidden">{done ? "Reopen" : "Complete"}</span>
        </button>
        <span className={done ? "muted" : undefined}>
          {task.subject || "Task"} <span className="muted small">· due {when(task.dueAt)}</span>
        </span>
      </fetcher.Form>
    </li>
  );
}
