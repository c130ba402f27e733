import type { Route as EngineRoute } from "@autopilot/engine";
import { redirect, useRouteLoaderData, useSearchParams } from "react-router";
import { ConfirmForm } from "../components/confirm-form.js";
import { RouteEditor } from "../components/route-editor/route-editor.js";
import { TryConsole } from "../components/try-console.js";
import { api } from "../lib/api.server.js";
import { text } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { installedPluginActions } from "../lib/plugins.server.js";
import { parseDefinition, routeErrors, stepIds } from "../lib/route-errors.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/route-edit";
import type { loader as layoutLoader } from "./app-layout.js";

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${(data?.route as { name?: string } | undefined)?.name ?? "Route"} · AutopilotCRM` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { data, response } = await api(request, context).GET("/v1/routes/{id}", {
    params: { path: { id: params.id } },
  });
  if (!data)
    throw new Response(response.status === 404 ? "No such route" : "Could not load the route", {
      status: response.status,
    });
  return {
    route: data.route as EngineRoute,
    version: data.version,
    pluginActions: await installedPluginActions(request, context),
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  if (text(form, "intent") === "delete") {
    const { error } = await client.DELETE("/v1/routes/{id}", { params: { path: { id: params.id } } });
    if (error) return { errors: routeErrors(error, []) };
    return redirect("/routes");
  }
  const definition = parseDefinition(text(form, "definition"));
  const { data, error } = await client.PUT("/v1/routes/{id}", {
    params: { path: { id: params.id } },
    body: definition,
  });
  if (!data) return { errors: routeErrors(error, stepIds(definition)) };
  return redirect(`/routes/${encodeURIComponent(data.id)}?saved=1`);
}

export default function EditRoute({ loaderData, actionData }: Route.ComponentProps) {
  const { route } = loaderData;
  const me = useRouteLoaderData<typeof layoutLoader>("routes/app-layout")?.me;
  const canEdit = me ? allows(me.role as Role, "admin") : false;
  const [params] = useSearchParams();
  return (
    <>
      <div className="page-head">
        <h1>{route.name}</h1>
        {canEdit ? (
          <ConfirmForm intent="delete" question={`Delete the route “${route.name}”?`}>
            Delete route
          </ConfirmForm>
        ) : null}
      </div>
      <p className="success" role="status" hidden={!params.get("saved") || Boolean(actionData)}>
        Saved. New conversations use this version.
      </p>
      {/* key: a saved route reloads into a fresh editor */}
      <RouteEditor
        key={loaderData.version}
        initial={route}
        isNew={false}
        errors={actionData?.errors}
        readOnly={!canEdit}
        pluginActions={loaderData.pluginActions}
      />
      <TryConsole names={{ [route.id]: route.name }} />
    </>
  );
}
