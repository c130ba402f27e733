import { Link, useRouteLoaderData } from "react-router";
import { TryConsole } from "../components/try-console.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { formErrors, text } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { triedTurn } from "../lib/try-outcome.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/routes-list";
import type { loader as layoutLoader } from "./app-layout.js";

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: Route.MetaFunction = () => [{ title: "Routes · AutopilotCRM" }];

type Definition = {
  name?: string;
  examples?: string[];
  steps?: unknown[];
  enabled?: boolean;
  priority?: number;
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const { data, response } = await api(request, context).GET("/v1/routes");
  if (!data) throw new Response("Could not load the routes", { status: response.status });
  return {
    version: data.version,
    routes: data.routes.map((r) => {
      const d = r.route as Definition;
      return {
        id: r.id,
        name: d.name ?? r.id,
        examples: d.examples?.length ?? 0,
        steps: d.steps?.length ?? 0,
        enabled: d.enabled !== false,
        priority: d.priority ?? 0,
        updatedAt: r.updatedAt,
      };
    }),
  };
}

/** The try-it console posts here (from this page and from the editor). */
export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  if (text(form, "intent") !== "try") throw new Response("Unknown action", { status: 400 });
  const message = text(form, "text");
  const { data, error } = await api(request, context).POST("/v1/routes/try", { body: { text: message } });
  if (!data) {
    const errors = formErrors(error, ["text"]);
    return { tryError: errors.fields.text ? "Write a message to try." : errors.form };
  }
  return {
    tried: { ...triedTurn(message, data), candidates: data.candidates },
  };
}

export default function RoutesList({ loaderData }: Route.ComponentProps) {
  const { when } = useFormats();
  const { routes } = loaderData;
  const me = useRouteLoaderData<typeof layoutLoader>("routes/app-layout")?.me;
  const canEdit = me ? allows(me.role as Role, "admin") : false;
  const names = Object.fromEntries(routes.map((r) => [r.id, r.name]));
  return (
    <>
      <div className="page-head">
        <h1>Routes</h1>
        {canEdit ? (
          <Link className="button primary" to="/routes/new">
            New route
          </Link>
        ) : null}
      </div>
      <p className="muted">
        Playbooks the assistant follows: when a customer's message matches a route's examples, it runs the
        route's script.
      </p>
      {routes.length === 0 ? (
        <p className="empty">
          No routes yet.{" "}
          {canEdit ? <Link to="/routes/new">Create the first one</Link> : "An admin can create them."}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col" className="num">
                  Examples
                </th>
                <th scope="col" className="num">
                  Steps
                </th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {routes.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/routes/${encodeURIComponent(r.id)}`}>{r.name}</Link>
                    <div className="small muted">{r.id}</div>
                  </td>
                  <td className="num">{r.examples}</td>
                  <td className="num">{r.steps}</td>
                  <td>{r.enabled ? "Enabled" : <span className="muted">Disabled</span>}</td>
                  <td className="hide-narrow small">{when(r.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <TryConsole names={names} />
    </>
  );
}
