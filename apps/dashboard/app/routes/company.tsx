import { Link } from "react-router";
import { Timeline } from "../components/timeline.js";
import { api } from "../lib/api.server.js";
import { loadFailed, loadMembers } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/company";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.company.name ?? "Company"} · AutopilotCRM` },
];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

/** How many of the company's contacts feed its timeline (one activities + leads look-up each). */
const TIMELINE_CONTACTS = 10;

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const [company, contacts, members] = await Promise.all([
    client.GET("/v1/companies/{id}", { params: { path: { id: params.id } } }),
    client.GET("/v1/contacts", {
      params: { query: { companyId: params.id, sort: "updated_at", limit: 100 } },
    }),
    loadMembers(client),
  ]);
  if (!company.data) loadFailed("Company", company.response);
  const people = contacts.data?.contacts ?? [];
  // The API files activities and leads under contacts: the company's timeline is its contacts' timelines.
  const perContact = await Promise.all(
    people.slice(0, TIMELINE_CONTACTS).map(async (c) => {
      const [a, l] = await Promise.all([
        client.GET("/v1/activities", { params: { query: { contactId: c.id, limit: 20 } } }),
        client.GET("/v1/leads", { params: { query: { contactId: c.id, limit: 10 } } }),
      ]);
      return { activities: a.data?.activities ?? [], leads: l.data?.leads ?? [] };
    }),
  );
  return {
    company: company.data,
    contacts: people,
    activities: perContact.flatMap((p) => p.activities),
    leads: perContact.flatMap((p) => p.leads),
    members,
    truncated: people.length > TIMELINE_CONTACTS,
  };
}

export default function Company({ loaderData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { company, contacts, activities, leads, members, truncated } = loaderData;
  return (
    <>
      <p className="small">
        <Link to="/companies">← Companies</Link>
      </p>
      <h1>{company.name}</h1>
      <div className="detail-grid">
        <div>
          <div className="card">
            <h2>Details</h2>
            <dl className="facts">
              <dt>Domain</dt>
              <dd>{company.domain ?? "—"}</dd>
              <dt>Tags</dt>
              <dd>{company.tags.length ? company.tags.join(", ") : "—"}</dd>
              <dt>Added</dt>
              <dd>{day(company.createdAt)}</dd>
            </dl>
          </div>
          <div className="card">
            <h2>Contacts</h2>
            {contacts.length ? (
              <ul className="plain">
                {contacts.map((c) => (
                  <li key={c.id}>
                    <Link to={`/contacts/${c.id}`}>{c.name || c.email || "Unnamed"}</Link>
                    {c.email && c.name ? <span className="muted small"> · {c.email}</span> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No contacts at this company yet.</p>
            )}
          </div>
        </div>
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {truncated ? (
            <p className="muted small">Showing the {TIMELINE_CONTACTS} most recently updated contacts.</p>
          ) : null}
          <Timeline activities={activities} leads={leads} members={members} />
        </section>
      </div>
    </>
  );
}
