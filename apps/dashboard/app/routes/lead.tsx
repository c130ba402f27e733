import { Form, Link, redirect, useActionData, useNavigation } from "react-router";
import { Field, FormError } from "../components/form.js";
import { ScoreLines } from "../components/score-lines.js";
import { api } from "../lib/api.server.js";
import { fieldLabel, fieldValue, LEAD_STATUS_LABEL, LEAD_STATUSES, memberName } from "../lib/crm.js";
import { loadFailed, loadMembers } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/lead";

// One lead: what the customer said (the fields their chat collected, a link to the conversation), why
// it scores what it does, how its status moved, its contact (editable here), and converting it into a
// deal linked to its contact and company. Notification mails link here (/leads/<id>).

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.lead.title || data?.contact?.name || "Lead"} · AutopilotCRM` },
];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const id = params.id;
  const path = { params: { path: { id } } };
  const [lead, history, members, pipelines, deals] = await Promise.all([
    client.GET("/v1/leads/{id}", path),
    client.GET("/v1/leads/{id}/history", path),
    loadMembers(client),
    client.GET("/v1/pipelines"),
    client.GET("/v1/deals", { params: { query: { leadId: id, limit: 20 } } }),
  ]);
  if (!lead.data) loadFailed("Lead", lead.response);
  const [contact, company] = await Promise.all([
    client.GET("/v1/contacts/{id}", { params: { path: { id: lead.data.contactId } } }),
    lead.data.companyId
      ? client.GET("/v1/companies/{id}", { params: { path: { id: lead.data.companyId } } })
      : Promise.resolve(undefined),
  ]);
  return {
    lead: lead.data,
    history: history.data?.history ?? [],
    members,
    contact: contact.data ?? null,
    company: company?.data ? { id: company.data.id, name: company.data.name } : null,
    pipelines: (pipelines.data?.pipelines ?? []).map((p) => ({
      id: p.id,
      name: p.name,
      isDefault: p.isDefault,
    })),
    deals: deals.data?.deals ?? [],
  };
}

type ActionResult = { intent: string; errors?: FormErrors; saved?: string };

export async function action({
  request,
  context,
  params,
}: Route.ActionArgs): Promise<ActionResult | Response> {
  const client = api(request, context);
  const form = await request.formData();
  const intent = text(form, "intent");
  const path = { params: { path: { id: params.id } } };
  if (intent === "status") {
    const status = LEAD_STATUSES.find((s) => s === text(form, "status"));
    if (!status) return { intent, errors: { fields: { status: "Choose a status." } } };
    const reason = text(form, "disqualifyReason").trim();
    const { error } = await client.PATCH("/v1/leads/{id}", {
      ...path,
      body: { status, ...(reason ? { disqualifyReason: reason } : {}) },
    });
    if (error) return { intent, errors: formErrors(error, ["status", "disqualifyReason"]) };
    return { intent, saved: "Status saved." };
  }
  if (intent === "contact") {
    const value = (name: string) => text(form, name).trim() || null;
    const { error } = await client.PATCH("/v1/contacts/{id}", {
      params: { path: { id: text(form, "contactId") } },
      body: { name: text(form, "name").trim(), email: value("email"), phone: value("phone") },
    });
    if (error) return { intent, errors: formErrors(error, ["name", "email", "phone"]) };
    return { intent, saved: "Contact saved." };
  }
  if (intent === "convert") {
    const amount = text(form, "amount").trim();
    const { data, error } = await client.POST("/v1/leads/{id}/convert", {
      ...path,
      body: {
        title: text(form, "title").trim() || undefined,
        pipelineId: text(form, "pipelineId") || undefined,
        amount: amount === "" ? undefined : Number(amount),
      },
    });
    if (error) return { intent, errors: formErrors(error, ["title", "amount", "pipelineId"]) };
    return redirect(`/deals/${data.deal.id}`);
  }
  return { intent, errors: { fields: {}, form: "Unknown action." } };
}

export default function Lead({ loaderData }: Route.ComponentProps) {
  const { when, day, money } = useFormats();
  const { lead, history, members, contact, company, pipelines, deals } = loaderData;
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const errorsFor = (intent: string) => (result?.intent === intent ? result.errors : undefined);
  const savedFor = (intent: string) => (result?.intent === intent ? (result.saved ?? "") : "");
  const collected = Object.entries(lead.attributes);
  const signals = Object.entries(lead.signals).filter(([, v]) => v !== null && v !== undefined);
  const contactName = contact?.name || contact?.email || contact?.phone || "Contact";
  return (
    <>
      <p className="small">
        <Link to="/leads">← Leads</Link>
      </p>
      <h1>{lead.title || contactName}</h1>
      <p className="lead-summary">
        <span className="badge">{LEAD_STATUS_LABEL[lead.status]}</span>
        <span className="score">
          <meter min={0} max={100} low={40} high={70} optimum={100} value={lead.score} aria-hidden="true" />
          Score {lead.score}
          <span className="visually-hidden"> of 100</span>
        </span>
        <span>Owner: {memberName(members, lead.ownerId)}</span>
        <span>
          Source: {lead.source} · {day(lead.createdAt)}
        </span>
      </p>
      <div className="detail-grid even">
        <div>
          <section className="card" aria-labelledby="said-title">
            <h2 id="said-title">What the customer said</h2>
            {collected.length === 0 && signals.length === 0 ? (
              <p className="muted">Nothing was collected for this lead.</p>
            ) : (
              <dl className="facts" data-collected>
                {collected.map(([k, v]) => (
                  <div key={`a-${k}`} style={{ display: "contents" }}>
                    <dt>{fieldLabel(k)}</dt>
                    <dd>{fieldValue(v, money)}</dd>
                  </div>
                ))}
                {signals
                  .filter(([k]) => !(k in lead.attributes))
                  .map(([k, v]) => (
                    <div key={`s-${k}`} style={{ display: "contents" }}>
                      <dt>{fieldLabel(k)}</dt>
                      <dd>
                        {k === "budget" && typeof v === "number" ? money(v, "USD") : fieldValue(v, money)}
                      </dd>
                    </div>
                  ))}
              </dl>
            )}
            {lead.conversationId ? (
              <p>
                <Link to={`/inbox/${lead.conversationId}`}>Read the conversation</Link>
              </p>
            ) : null}
          </section>

          <section className="card" aria-labelledby="score-title">
            <h2 id="score-title">Why it scores {lead.score}</h2>
            <ScoreLines lines={lead.scoreBreakdown} className="breakdown-list" />
          </section>

          <section className="card" aria-labelledby="status-title">
            <h2 id="status-title">Status</h2>
            <StatusForm status={lead.status} errors={errorsFor("status")} saved={savedFor("status")} />
            <h3>History</h3>
            <ol className="plain" data-status-history>
              <li>
                Created as New <span className="muted small">· {when(lead.createdAt)}</span>
              </li>
              {history.map((h) => (
                <li key={`${h.changedAt}-${h.to}`}>
                  {LEAD_STATUS_LABEL[h.from]} → {LEAD_STATUS_LABEL[h.to]}
                  {h.reason ? <span className="muted"> — {h.reason}</span> : null}
                  <span className="muted small">
                    {" "}
                    · {h.changedBy ? memberName(members, h.changedBy) : "Automatic"} · {when(h.changedAt)}
                  </span>
                </li>
              ))}
            </ol>
          </section>
        </div>

        <div>
          <section className="card" aria-labelledby="deal-title">
            <h2 id="deal-title">Deal</h2>
            {deals.length ? (
              <ul className="plain">
                {deals.map((d) => (
                  <li key={d.id}>
                    <Link to={`/deals/${d.id}`}>{d.title}</Link> · {money(d.amount, d.currency)}
                  </li>
                ))}
              </ul>
            ) : null}
            {lead.status === "converted" || lead.status === "disqualified" ? (
              deals.length ? null : (
                <p className="muted">This lead is {LEAD_STATUS_LABEL[lead.status].toLowerCase()}.</p>
              )
            ) : pipelines.length === 0 ? (
              <p>
                Deals need a pipeline: <Link to="/settings/pipelines">set one up</Link>.
              </p>
            ) : (
              <ConvertForm
                title={lead.title || contactName}
                budget={lead.signals.budget ?? null}
                pipelines={pipelines}
                errors={errorsFor("convert")}
              />
            )}
          </section>

          <section className="card" aria-labelledby="contact-title">
            <h2 id="contact-title">Contact</h2>
            {contact ? (
              <>
                <p className="small">
                  <Link to={`/contacts/${contact.id}`}>Open {contactName}</Link>
                  {company ? (
                    <>
                      {" "}
                      · <Link to={`/companies/${company.id}`}>{company.name}</Link>
                    </>
                  ) : null}
                </p>
                <Form method="post" noValidate className="form-grid" aria-label="Edit the contact">
                  <input type="hidden" name="intent" value="contact" />
                  <input type="hidden" name="contactId" value={contact.id} />
                  <div className="wide">
                    <FormError errors={errorsFor("contact")} />
                  </div>
                  <Field
                    name="name"
                    label="Name"
                    defaultValue={contact.name}
                    errors={errorsFor("contact")}
                    id="contact-name"
                  />
                  <Field
                    name="email"
                    label="Email"
                    type="email"
                    defaultValue={contact.email ?? ""}
                    errors={errorsFor("contact")}
                    id="contact-email"
                  />
                  <Field
                    name="phone"
                    label="Phone"
                    type="tel"
                    defaultValue={contact.phone ?? ""}
                    errors={errorsFor("contact")}
                    id="contact-phone"
                  />
                  <SaveButton intent="contact" label="Save contact" />
                  <p className="status-line small" role="status">
                    {savedFor("contact")}
                  </p>
                </Form>
              </>
            ) : (
              <p className="muted">The contact could not be loaded.</p>
            )}
          </section>
        </div>
      </div>
    </>
  );
}

function SaveButton({ intent, label }: { intent: string; label: string }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  return (
    <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
      {busy ? "Saving…" : label}
    </button>
  );
}

function StatusForm({
  status,
  errors,
  saved,
}: {
  status: (typeof LEAD_STATUSES)[number];
  errors: FormErrors | undefined;
  saved: string;
}) {
  return (
    <Form method="post" noValidate className="form-grid" aria-label="Change the status" key={status}>
      <input type="hidden" name="intent" value="status" />
      <div className="wide">
        <FormError errors={errors} />
      </div>
      <div className="field">
        <label htmlFor="lead-status">Status</label>
        <select id="lead-status" name="status" defaultValue={status}>
          {LEAD_STATUSES.filter((s) => s !== "converted" || status === "converted").map((s) => (
            <option key={s} value={s}>
              {LEAD_STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <p className="field-error" data-field-error="status">
          {errors?.fields.status ?? ""}
        </p>
      </div>
      <Field
        name="disqualifyReason"
        label="Reason (to disqualify)"
        id="lead-reason"
        errors={errors}
        maxLength={500}
      />
      <SaveButton intent="status" label="Save status" />
      <p className="status-line small" role="status">
        {saved}
      </p>
    </Form>
  );
}

function ConvertForm({
  title,
  budget,
  pipelines,
  errors,
}: {
  title: string;
  budget: number | null;
  pipelines: { id: string; name: string; isDefault: boolean }[];
  errors: FormErrors | undefined;
}) {
  const preferred = pipelines.find((p) => p.isDefault) ?? pipelines[0];
  return (
    <Form method="post" noValidate className="form-grid" aria-label="Convert into a deal">
      <input type="hidden" name="intent" value="convert" />
      <p className="muted small wide">
        Opens a deal for this lead, with its contact and company; the lead becomes Converted.
      </p>
      <div className="wide">
        <FormError errors={errors} />
      </div>
      <Field name="title" label="Deal name" id="convert-title" defaultValue={title} errors={errors} />
      <Field
        name="amount"
        label="Amount (USD)"
        id="convert-amount"
        type="number"
        min={0}
        step="any"
        defaultValue={budget ?? ""}
        errors={errors}
        hint={budget !== null ? "The budget the customer gave." : undefined}
      />
      {pipelines.length > 1 ? (
        <div className="field">
          <label htmlFor="convert-pipeline">Pipeline</label>
          <select id="convert-pipeline" name="pipelineId" defaultValue={preferred?.id}>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <input type="hidden" name="pipelineId" value={preferred?.id ?? ""} />
      )}
      <SaveButton intent="convert" label="Convert into a deal" />
    </Form>
  );
}
