import type { AppLoadContext } from "react-router";
import { type PluginAction, pluginActionsOf } from "../components/route-editor/plugin-actions.js";
import { api } from "./api.server.js";

/** The workspace's installed plugin actions, for the playbook editor; none for a member who may not list plugins. */
export async function installedPluginActions(
  request: Request,
  context: AppLoadContext,
): Promise<PluginAction[]> {
  const { data } = await api(request, context).GET("/v1/plugins/installs");
  return data ? pluginActionsOf(data.installs) : [];
}
