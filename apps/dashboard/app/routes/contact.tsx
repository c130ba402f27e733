import { Link } from "react-router";
import { ActivityForm } from "../components/activity-form.js";
import { Timeline } from "../components/timeline.js";
import { api } from "../lib/api.server.js";
import type { ConversationRow } from "../lib/crm.js";
import { loadFailed, loadMembers, logActivity } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/contact";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.contact.name || "Contact"} · AutopilotCRM` },
];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const id = params.id;
  const [contact, activities, conversations, leads, members] = await Promise.all([
    client.GET("/v1/contacts/{id}", { params: { path: { id } } }),
    client.GET("/v1/activities", { params: { query: { contactId: id, limit: 100 } } }),
    client.GET("/v1/conversations", { params: { query: { contactId: id, limit: 50 } } }),
    client.GET("/v1/leads", { params: { query: { contactId: id, limit: 50 } } }),
    loadMembers(client),
  ]);
  if (!contact.data) loadFailed("Contact", contact.response);
  const company = contact.data.companyId
    ? (await client.GET("/v1/companies/{id}", { params: { path: { id: contact.data.companyId } } })).data
    : undefined;
  return {
    contact: contact.data,
    company: company ? { id: company.id, name: company.name } : null,
    activities: activities.data?.activities ?? [],
    conversations: (conversations.data?.conversations ?? []) as ConversationRow[],
    leads: leads.data?.leads ?? [],
    members,
    partial: !activities.data || !conversations.data || !leads.data,
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  return logActivity(api(request, context), await request.formData(), { contactId: params.id });
}

export default function Contact({ loaderData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { contact, company, activities, conversations, leads, members, partial } = loaderData;
  return (
    <>
      <p className="small">
        <Link to="/contacts">← Contacts</Link>
      </p>
      <h1>{contact.name || contact.email || "Unnamed contact"}</h1>
      <div className="detail-grid">
        <div>
          <div className="card">
            <h2>Details</h2>
            <dl className="facts">
              <dt>Email</dt>
              <dd>{contact.email ?? "—"}</dd>
              <dt>Phone</dt>
              <dd>{contact.phone ?? "—"}</dd>
              <dt>Company</dt>
              <dd>{company ? <Link to={`/companies/${company.id}`}>{company.name}</Link> : "—"}</dd>
              <dt>Tags</dt>
              <dd>{contact.tags.length ? contact.tags.join(", ") : "—"}</dd>
              <dt>Source</dt>
              <dd>{contact.source ?? "—"}</dd>
              <dt>Consent</dt>
              <dd>
                email {contact.consent.email ? "yes" : "no"} · SMS {contact.consent.sms ? "yes" : "no"}
              </dd>
              <dt>Added</dt>
              <dd>{day(contact.createdAt)}</dd>
            </dl>
            {Object.keys(contact.attributes).length ? (
              <>
                <h3>Attributes</h3>
                <dl className="facts">
                  {Object.entries(contact.attributes).map(([k, v]) => (
                    <div key={k} style={{ display: "contents" }}>
                      <dt>{k}</dt>
                      <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
                    </div>
                  ))}
                </dl>
              </>
            ) : null}
          </div>
          <ActivityForm />
        </div>
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {partial ? (
            <p className="form-error" role="alert">
              Part of the timeline could not be loaded. Reload to try again.
            </p>
          ) : null}
          <Timeline activities={activities} conversations={conversations} leads={leads} members={members} />
        </section>
      </div>
    </>
  );
}
