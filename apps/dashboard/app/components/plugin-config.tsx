import type { FormErrors } from "../lib/forms.js";
import { configProperties } from "../lib/plugin-config.js";
import { FieldFrame } from "./form.js";

/** The inputs of a plugin's settings; secret ones are never filled in, only said to be set. */
export function PluginConfigFields({
  schema,
  values,
  secretsSet,
  errors,
  idPrefix,
}: {
  schema: unknown;
  values: Record<string, unknown>;
  secretsSet: string[];
  errors: FormErrors | undefined;
  idPrefix: string;
}) {
  const properties = configProperties(schema);
  if (properties.length === 0) return <p className="muted small">This plugin has no settings.</p>;
  return (
    <>
      {properties.map((p) => {
        const name = `config.${p.name}`;
        const id = `${idPrefix}-${p.name}`;
        const current = values[p.name] ?? p.fallback;
        const hint = p.secret
          ? secretsSet.includes(p.name)
            ? "Set. Leave empty to keep it; it is never shown again."
            : "Secret: stored encrypted and never shown again."
          : p.description;
        if (p.kind === "boolean")
          return (
            <label key={p.name} className="check">
              <input type="checkbox" name={name} defaultChecked={current === true} /> {p.label}
            </label>
          );
        return (
          <FieldFrame
            key={p.name}
            id={id}
            name={name}
            label={p.label}
            hint={hint}
            error={errors?.fields[name]}
          >
            {(a11y) =>
              p.kind === "choice" ? (
                <select {...a11y} name={name} defaultValue={current === undefined ? "" : String(current)}>
                  {p.required ? null : <option value="">(default)</option>}
                  {p.options.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...a11y}
                  name={name}
                  type={p.secret ? "password" : p.kind === "text" ? "text" : p.kind}
                  autoComplete="off"
                  required={p.required && !(p.secret && secretsSet.includes(p.name))}
                  defaultValue={p.secret || current === undefined ? "" : String(current)}
                />
              )
            }
          </FieldFrame>
        );
      })}
    </>
  );
}
