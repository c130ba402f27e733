import { createContext, useContext } from "react";

// The installed plugins' actions a call_plugin step can call (the workspace's installs, read by the
// route screens' loaders), with the input each action takes (its JSON Schema's properties).

export type PluginAction = {
  plugin: string;
  pluginName: string;
  method: string;
  title: string;
  inputs: { name: string; label: string; required: boolean }[];
};

type Install = {
  pluginId: string;
  name: string;
  status: string;
  actions: { name: string; title: string; input: Record<string, unknown> }[];
};

export function pluginActionsOf(installs: Install[]): PluginAction[] {
  return installs.flatMap((i) =>
    i.actions.map((a) => {
      const schema = a.input as { properties?: Record<string, { title?: string }>; required?: string[] };
      return {
        plugin: i.pluginId,
        pluginName: i.name,
        method: a.name,
        title: a.title,
        inputs: Object.entries(schema.properties ?? {}).map(([name, p]) => ({
          name,
          label: p.title ?? name,
          required: (schema.required ?? []).includes(name),
        })),
      };
    }),
  );
}

export const PluginActions = createContext<PluginAction[]>([]);
export const usePluginActions = () => useContext(PluginActions);
