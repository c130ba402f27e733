import { Link, useRouteLoaderData } from "react-router";
import { LivePanel } from "../components/live-panel.js";
import { api } from "../lib/api.server.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/home";
import type { loader as layoutLoader } from "./app-layout.js";

export const meta: Route.MetaFunction = () => [{ title: "Home · AutopilotCRM" }];
// The live panel's tiles are styled with the reports' sheet.
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

// Home: the set-up steps with what is done (from the workspace's own data, not a flag), then what
// needs a person today: conversations waiting, new leads, open deals.

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [sources, routes, keys, waiting, leads, deals] = await Promise.all([
    client.GET("/v1/knowledge/sources"),
    client.GET("/v1/routes"),
    client.GET("/v1/widget-keys"),
    client.GET("/v1/conversations", { params: { query: { status: "waiting", limit: 50 } } }),
    client.GET("/v1/leads", { params: { query: { status: "new", limit: 50 } } }),
    client.GET("/v1/deals", { params: { query: { status: "open", limit: 100 } } }),
  ]);
  const any = (list: unknown[] | undefined) => (list === undefined ? null : list.length > 0);
  return {
    steps: {
      knowledge: any(sources.data?.sources),
      playbooks: any(routes.data?.routes),
      // Widget keys are an admin's to see: for others the step is simply not shown as open.
      widget: any(keys.data?.widgetKeys),
    },
    waiting: waiting.data?.conversations.length ?? 0,
    newLeads: leads.data?.leads.length ?? 0,
    openDeals: deals.data?.deals.length ?? 0,
  };
}

const STEPS = [
  { key: "knowledge", label: "Add your website or documents", to: "/onboarding?step=website" },
  {
    key: "playbooks",
    label: "Choose the conversations the assistant handles",
    to: "/onboarding?step=playbooks",
  },
  { key: "widget", label: "Put the chat on your website", to: "/onboarding?step=widget" },
] as const;

export default function Home({ loaderData }: Route.ComponentProps) {
  const layout = useRouteLoaderData<typeof layoutLoader>("routes/app-layout");
  const me = layout?.me;
  const { steps, waiting, newLeads, openDeals } = loaderData;
  const open = STEPS.filter((s) => steps[s.key] === false);
  return (
    <>
      <h1>Welcome{me?.user ? `, ${me.user.name}` : ""}</h1>
      <p>
        {me?.tenant.name} · your role: {me?.role}
      </p>
      {open.length > 0 ? (
        <div className="card" data-setup="open">
          <h2>Set up your assistant</h2>
          <ol className="checklist">
            {STEPS.map((s) => (
              <li key={s.key} data-done={steps[s.key] === true ? "" : undefined}>
                {steps[s.key] === true ? (
                  <span>
                    <span aria-hidden="true">✓ </span>
                    {s.label} <span className="visually-hidden">(done)</span>
                  </span>
                ) : (
                  <Link to={s.to}>{s.label}</Link>
                )}
              </li>
            ))}
          </ol>
          <Link className="button primary" to={open[0]?.to ?? "/onboarding"}>
            Continue setting up
          </Link>
        </div>
      ) : (
        <div className="card" data-setup="done">
          <h2>Your assistant is live</h2>
          <ul className="plain" data-today="">
            <li>
              <Link to="/inbox?status=waiting">
                {waiting} {waiting === 1 ? "conversation waits" : "conversations wait"} for a person
              </Link>
            </li>
            <li>
              <Link to="/leads?status=new">
                {newLeads} new {newLeads === 1 ? "lead" : "leads"}
              </Link>
            </li>
            <li>
              <Link to="/deals">
                {openDeals} open {openDeals === 1 ? "deal" : "deals"}
              </Link>
            </li>
          </ul>
        </div>
      )}
      <LivePanel />
    </>
  );
}
