// A plugin's settings form, generated from the JSON Schema its manifest declares: which inputs to
// draw, and how the posted form becomes the settings object the API checks against that schema.

export type ConfigProperty = {
  name: string;
  label: string;
  description?: string;
  kind: "text" | "url" | "email" | "number" | "boolean" | "choice" | "date";
  options: string[];
  required: boolean;
  secret: boolean;
  fallback: unknown;
};

type Schema = {
  properties?: Record<
    string,
    {
      type?: string;
      format?: string;
      enum?: unknown[];
      title?: string;
      description?: string;
      secret?: boolean;
      default?: unknown;
    }
  >;
  required?: string[];
};

export function configProperties(schema: unknown): ConfigProperty[] {
  const s = (schema ?? {}) as Schema;
  // Stored manifests (jsonb) lose their key order; the required fields keep theirs, so they lead.
  const required = s.required ?? [];
  const rank = (name: string) => (required.includes(name) ? required.indexOf(name) : required.length);
  const entries = Object.entries(s.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  return entries.map(([name, p]) => ({
    name,
    label: p.title ?? name,
    description: p.description,
    kind: p.enum
      ? "choice"
      : p.type === "boolean"
        ? "boolean"
        : p.type === "number" || p.type === "integer"
          ? "number"
          : p.format === "uri"
            ? "url"
            : p.format === "email"
              ? "email"
              : p.format === "date"
                ? "date"
                : "text",
    options: (p.enum ?? []).map(String),
    required: (s.required ?? []).includes(name),
    secret: p.secret === true,
    fallback: p.default,
  }));
}

/** The posted form as settings: empty optional fields left out, a secret left empty keeps its value. */
export function configFromForm(schema: unknown, form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of configProperties(schema)) {
    const key = `config.${p.name}`;
    if (p.kind === "boolean") {
      out[p.name] = form.get(key) === "on";
      continue;
    }
    const raw = String(form.get(key) ?? "").trim();
    if (raw === "") continue;
    out[p.name] = p.kind === "number" ? Number(raw) : raw;
  }
  return out;
}
