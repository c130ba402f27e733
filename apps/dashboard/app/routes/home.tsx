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
  const { data, response } = await api(request, context).GET("/v1/overview");
  if (!data) throw new Response("Could not load the overview", { status: response.status });
  return {
    // Widget keys are an admin's to see: for others (null) the step is simply not shown as open.
    steps: data.setup,
    waiting: data.waitingConversations,
    newLeads: data.newLeads,
    openDeals: data.openDeals,
  };
}

// GET /v1/overview counts up to 1,000 (a large workspace is not scanned to the end).
const COUNT_CAP = 1000;
const shown = (n: number) => (n >= COUNT_CAP ? `${COUNT_CAP}+` : String(n));

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
                {shown(waiting)} {waiting === 1 ? "conversation waits" : "conversations wait"} for a person
              </Link>
            </li>
            <li>
              <Link to="/leads?status=new">
                {shown(newLeads)} new {newLeads === 1 ? "lead" : "leads"}
              </Link>
            </li>
            <li>
              <Link to="/deals">
                {shown(openDeals)} open {openDeals === 1 ? "deal" : "deals"}
              </Link>
            </li>
          </ul>
        </div>
      )}
      <LivePanel />
    </>
  );
}
