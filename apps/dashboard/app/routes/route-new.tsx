import { redirect, useRouteLoaderData } from "react-router";
import { RouteEditor } from "../components/route-editor/route-editor.js";
import { emptyRoute } from "../components/route-editor/steps.js";
import { api } from "../lib/api.server.js";
import { text } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { installedPluginActions } from "../lib/plugins.server.js";
import { parseDefinition, routeErrors, stepIds } from "../lib/route-errors.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/route-new";
import type { loader as layoutLoader } from "./app-layout.js";

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: Route.MetaFunction = () => [{ title: "New route · AutopilotCRM" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  return { pluginActions: await installedPluginActions(request, context) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const definition = parseDefinition(text(await request.formData(), "definition"));
  const { data, error } = await api(request, context).POST("/v1/routes", { body: definition });
  if (!data) return { errors: routeErrors(error, stepIds(definition)) };
  return redirect(`/routes/${encodeURIComponent(data.id)}?saved=1`);
}

export default function NewRoute({ loaderData, actionData }: Route.ComponentProps) {
  const me = useRouteLoaderData<typeof layoutLoader>("routes/app-layout")?.me;
  const canEdit = me ? allows(me.role as Role, "admin") : false;
  return (
    <>
      <h1>New route</h1>
      <RouteEditor
        initial={emptyRoute()}
        isNew
        errors={actionData?.errors}
        readOnly={!canEdit}
        pluginActions={loaderData.pluginActions}
      />
    </>
  );
}
