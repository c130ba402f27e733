import { type DragEvent, useEffect, useRef, useState } from "react";
import { Form, Link, useFetcher, useFetchers, useSearchParams, useSubmit } from "react-router";
import { Field, FormError } from "../components/form.js";
import { api } from "../lib/api.server.js";
import { type Member, memberName } from "../lib/crm.js";
import { errorMessage, loadFailed, loadMembers } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import { formErrors, text } from "../lib/forms.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/deals";

export const meta: Route.MetaFunction = () => [{ title: "Deals · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

const DEAL_FIELDS = ["title", "amount", "currency"] as const;

export async function loader({ request, context }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const client = api(request, context);
  const [pipelines, members] = await Promise.all([client.GET("/v1/pipelines"), loadMembers(client)]);
  if (!pipelines.data) loadFailed("pipelines", pipelines.response);
  const all = pipelines.data.pipelines;
  const pipeline = all.find((p) => p.id === params.get("pipeline")) ?? all.find((p) => p.isDefault) ?? all[0];
  if (!pipeline) return { pipelines: all, pipeline: null, deals: [], members, error: null };
  const deals = await client.GET("/v1/deals", {
    params: { query: { pipelineId: pipeline.id, sort: "updated_at", limit: 200 } },
  });
  return {
    pipelines: all.map((p) => ({ id: p.id, name: p.name })),
    pipeline,
    deals: deals.data?.deals ?? [],
    members,
    error: deals.data ? null : errorMessage(deals.error, "The deals could not be loaded."),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  if (text(form, "intent") === "create") {
    const { error } = await client.POST("/v1/deals", {
      body: {
        title: text(form, "title"),
        amount: text(form, "amount") ? Number(text(form, "amount")) : undefined,
        currency: text(form, "currency") || undefined,
        pipelineId: text(form, "pipelineId") || undefined,
      },
    });
    return error ? { errors: formErrors(error, DEAL_FIELDS) } : { ok: true };
  }
  // intent=move: to another stage (a lost stage needs a reason).
  const { error } = await client.PATCH("/v1/deals/{id}", {
    params: { path: { id: text(form, "deal") } },
    body: { stageId: text(form, "stageId"), reason: text(form, "reason") || undefined },
  });
  return error ? { error: errorMessage(error) } : { ok: true };
}

type Board = NonNullable<Route.ComponentProps["loaderData"]["pipeline"]>;
type Deal = Route.ComponentProps["loaderData"]["deals"][number];

export default function Deals({ loaderData }: Route.ComponentProps) {
  const { pipelines, pipeline, deals, members, error } = loaderData;
  const [params] = useSearchParams();
  return (
    <>
      <div className="page-head">
        <h1>Deals</h1>
        {pipelines.length > 1 ? (
          <Form method="get" className="row" aria-label="Choose a pipeline">
            <label htmlFor="pipeline" className="visually-hidden">
              Pipeline
            </label>
            <select id="pipeline" name="pipeline" defaultValue={pipeline?.id ?? params.get("pipeline") ?? ""}>
              {pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <button type="submit">Show</button>
          </Form>
        ) : null}
      </div>
      {!pipeline ? (
        <p className="empty">
          No pipeline yet: deals move through its stages.{" "}
          <Link to="/settings/pipelines">Set up a pipeline</Link> (admins).
        </p>
      ) : (
        <>
          <NewDeal pipelineId={pipeline.id} />
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <Kanban pipeline={pipeline} deals={deals} members={members} />
        </>
      )}
    </>
  );
}

function NewDeal({ pipelineId }: { pipelineId: string }) {
  const fetcher = useFetcher<typeof action>();
  const errors = fetcher.data && "errors" in fetcher.data ? fetcher.data.errors : undefined;
  const form = useRef<HTMLFormElement>(null);
  // Each deal added empties the form for the next one (every time, not only the first).
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && "ok" in fetcher.data) {
      form.current?.reset();
      form.current?.querySelector<HTMLInputElement>("input[name=title]")?.focus();
    }
  }, [fetcher.state, fetcher.data]);
  return (
    <details className="card new-deal">
      <summary>New deal</summary>
      <fetcher.Form method="post" noValidate ref={form}>
        <input type="hidden" name="intent" value="create" />
        <input type="hidden" name="pipelineId" value={pipelineId} />
        <FormError errors={errors} />
        <div className="form-grid">
          <Field name="title" label="Title" errors={errors} required />
          <Field name="amount" label="Amount" type="number" min={0} step="any" errors={errors} />
          <Field name="currency" label="Currency" defaultValue="USD" maxLength={3} errors={errors} />
        </div>
        <button type="submit" className="primary" disabled={fetcher.state !== "idle"}>
          Add deal
        </button>
      </fetcher.Form>
    </details>
  );
}

/**
 * One column per stage. A card moves by dragging it onto another column (HTML5 drag and drop) or with
 * its "Move to" select (keyboard, screen readers, touch). Both submit the same fetcher (key move-<id>),
 * so the card shows its pending move and any refusal the same way.
 */
function Kanban({ pipeline, deals, members }: { pipeline: Board; deals: Deal[]; members: Member[] }) {
  const { money } = useFormats();
  const submit = useSubmit();
  const [over, setOver] = useState<string | null>(null);
  const [askReason, setAskReason] = useState<{ deal: string; stage: string } | null>(null);
  // Moves in flight show at their destination at once (optimistic), and snap back if refused.
  const fetchers = useFetchers();
  const pending = new Map<string, string>();
  for (const f of fetchers)
    if (f.key.startsWith("move-") && f.formData)
      pending.set(String(f.formData.get("deal")), String(f.formData.get("stageId")));
  const stageOf = (d: Deal) => pending.get(d.id) ?? d.stageId;

  const move = (deal: string, stage: string) => {
    const target = pipeline.stages.find((s) => s.id === stage);
    const current = deals.find((d) => d.id === deal);
    if (!target || !current || current.stageId === stage) return;
    if (target.category === "lost") {
      setAskReason({ deal, stage }); // a lost deal needs a reason: the card asks for it
      return;
    }
    setAskReason(null);
    submit(
      { intent: "move", deal, stageId: stage },
      { method: "post", navigate: false, fetcherKey: `move-${deal}` },
    );
  };
  const onDrop = (stage: string) => (event: DragEvent) => {
    event.preventDefault();
    setOver(null);
    const deal = event.dataTransfer.getData("application/x-deal") || event.dataTransfer.getData("text/plain");
    if (deal) move(deal, stage);
  };

  return (
    <section className="kanban" aria-label={`${pipeline.name} pipeline`}>
      {pipeline.stages.map((stage) => {
        const cards = deals.filter((d) => stageOf(d) === stage.id);
        const total = cards.reduce((sum, d) => sum + d.amount, 0);
        return (
          <section
            key={stage.id}
            className="stage"
            aria-labelledby={`stage-${stage.id}`}
            data-stage={stage.name}
            data-drop={over === stage.id ? "over" : undefined}
            onDragOver={(event) => {
              event.preventDefault();
              event.dataTransfer.dropEffect = "move";
              if (over !== stage.id) setOver(stage.id);
            }}
            onDragLeave={(event) => {
              if (!event.currentTarget.contains(event.relatedTarget as Node)) setOver(null);
            }}
            onDrop={onDrop(stage.id)}
          >
            <div className="stage-head">
              <h2 id={`stage-${stage.id}`}>{stage.name}</h2>
              <span className="muted small">
                {cards.length} · {money(total, cards[0]?.currency ?? "USD")}
              </span>
            </div>
            <ul>
              {cards.map((deal) => (
                <DealCard
                  key={`${deal.id}-${deal.stageId}`}
                  deal={deal}
                  stages={pipeline.stages}
                  members={members}
                  askReason={askReason?.deal === deal.id ? askReason.stage : null}
                  onMove={move}
                  onCancel={() => setAskReason(null)}
                />
              ))}
              {cards.length === 0 ? <li className="muted small no-deals">No deals.</li> : null}
            </ul>
          </section>
        );
      })}
    </section>
  );
}

/** The deal whose "Move" button was just used: its card takes focus where it lands. */
let movedByKeyboard: string | null = null;

function DealCard(props: {
  deal: Deal;
  stages: Board["stages"];
  members: Member[];
  askReason: string | null;
  onMove: (deal: string, stage: string) => void;
  onCancel: () => void;
}) {
  const { money } = useFormats();
  const { deal, stages } = props;
  const fetcher = useFetcher<typeof action>({ key: `move-${deal.id}` });
  const [dragging, setDragging] = useState(false);
  const [target, setTarget] = useState(deal.stageId);
  const lostTarget =
    props.askReason ??
    (target !== deal.stageId && stages.find((s) => s.id === target)?.category === "lost" ? target : null);
  const select = useRef<HTMLSelectElement>(null);
  // A card moved from the keyboard lands in another column (a new element): focus follows it there.
  useEffect(() => {
    if (movedByKeyboard === deal.id) {
      movedByKeyboard = null;
      select.current?.focus();
    }
  }, [deal.id]);
  const busy = fetcher.state !== "idle";
  const error = fetcher.data && "error" in fetcher.data ? fetcher.data.error : null;
  return (
    <li
      className="deal-card"
      draggable
      data-deal={deal.title}
      data-dragging={dragging ? "" : undefined}
      aria-busy={busy || undefined}
      onDragStart={(event) => {
        event.dataTransfer.setData("application/x-deal", deal.id);
        event.dataTransfer.setData("text/plain", deal.id);
        event.dataTransfer.effectAllowed = "move";
        setDragging(true);
      }}
      onDragEnd={() => setDragging(false)}
    >
      <Link to={`/deals/${deal.id}`}>{deal.title}</Link>
      <p className="muted small">
        {money(deal.amount, deal.currency)} · {memberName(props.members, deal.ownerId)}
      </p>
      <fetcher.Form
        method="post"
        onSubmit={(event) => {
          // Lost needs a reason: submitted with the form; other moves go through the same path as a drop.
          if (lostTarget) return;
          event.preventDefault();
          movedByKeyboard = deal.id;
          props.onMove(deal.id, target);
        }}
      >
        <input type="hidden" name="intent" value="move" />
        <input type="hidden" name="deal" value={deal.id} />
        <label htmlFor={`move-${deal.id}`} className="visually-hidden">
          Move {deal.title} to
        </label>
        <select
          ref={select}
          id={`move-${deal.id}`}
          name="stageId"
          value={props.askReason ?? target}
          onChange={(e) => {
            props.onCancel();
            setTarget(e.target.value);
          }}
        >
          {stages.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id === deal.stageId ? `${s.name} (current)` : s.name}
            </option>
          ))}
        </select>
        {lostTarget ? (
          <>
            <label htmlFor={`reason-${deal.id}`} className="visually-hidden">
              Why was {deal.title} lost?
            </label>
            <input
              id={`reason-${deal.id}`}
              name="reason"
              placeholder="Why was it lost?"
              required
              // biome-ignore lint/a11y/noAutofocus: the reason box appears because the user just asked to mark the deal lost
              autoFocus={Boolean(props.askReason)}
            />
          </>
        ) : null}
        <button type="submit" disabled={busy}>
          Move
        </button>
      </fetcher.Form>
      <p className="inline-error" role="alert">
        {error ?? ""}
      </p>
    </li>
  );
}
