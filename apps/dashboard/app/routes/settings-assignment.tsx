import { Form } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-assignment";

export const meta: Route.MetaFunction = () => [{ title: "Assignment · Settings · AutopilotCRM" }];

type Rule = components["schemas"]["AssignmentRule"];
type RuleBody = Omit<Rule, "id" | "position">;
const STRATEGIES = ["round_robin", "weighted", "least_loaded", "specific"] as const;
const FIELDS = [
  "name",
  "strategy",
  "teamId",
  "ownerId",
  "conditions.minScore",
  "conditions.maxScore",
  "conditions.languages",
  "conditions.territories",
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [, rules, teams, members] = await Promise.all([
    requireAdmin(request, context),
    client.GET("/v1/assignment-rules"),
    client.GET("/v1/teams"),
    client.GET("/v1/members"),
  ]);
  if (!rules.data)
    throw new Response("Could not load the assignment rules", { status: rules.response.status });
  return {
    rules: rules.data.rules,
    teams: (teams.data?.teams ?? []).map((t) => ({ id: t.id, name: t.name })),
    members: (members.data?.members ?? []).map((m) => ({ id: m.userId, name: m.name || m.email })),
  };
}

const body = (r: Rule): RuleBody => ({
  name: r.name,
  enabled: r.enabled,
  conditions: r.conditions,
  strategy: r.strategy,
  teamId: r.teamId,
  ownerId: r.ownerId,
});
const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Every change replaces the ordered list (PUT /v1/assignment-rules), as the API defines it. */
export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const current = (await client.GET("/v1/assignment-rules")).data?.rules ?? [];
  let rules = current.map(body);
  const index = current.findIndex((r) => r.id === text(form, "id"));
  switch (text(form, "intent")) {
    case "add": {
      const min = text(form, "conditions.minScore");
      const max = text(form, "conditions.maxScore");
      const conditions: RuleBody["conditions"] = {};
      if (min !== "") conditions.minScore = Number(min);
      if (max !== "") conditions.maxScore = Number(max);
      if (list(text(form, "conditions.languages")).length)
        conditions.languages = list(text(form, "conditions.languages"));
      if (list(text(form, "conditions.territories")).length)
        conditions.territories = list(text(form, "conditions.territories"));
      rules.push({
        name: text(form, "name"),
        enabled: true,
        strategy: text(form, "strategy") as RuleBody["strategy"],
        teamId: text(form, "teamId") || null,
        ownerId: text(form, "ownerId") || null,
        conditions,
      });
      break;
    }
    case "toggle":
      rules = rules.map((r, i) => (i === index ? { ...r, enabled: !r.enabled } : r));
      break;
    case "delete":
      rules = rules.filter((_, i) => i !== index);
      break;
    case "up":
    case "down": {
      const to = index + (text(form, "intent") === "up" ? -1 : 1);
      const [moved] = rules.splice(index, 1);
      if (moved) rules.splice(to, 0, moved);
      break;
    }
  }
  const { error } = await client.PUT("/v1/assignment-rules", { body: { rules } });
  if (!error) return { ok: true };
  // Issues name rules.<n>.<field>; the add form shows the new (last) rule's.
  const last = `rules.${rules.length - 1}.`;
  const issues = (error.error.details as { issues?: { field?: string; message?: string }[] } | undefined)
    ?.issues;
  if (issues) {
    for (const i of issues) if (i.field?.startsWith(last)) i.field = i.field.slice(last.length);
  } else if (error.error.message.startsWith(last)) {
    error.error.message = error.error.message.slice(last.length);
  }
  return { errors: formErrors(error, FIELDS) };
}

function summary(r: Rule, teams: { id: string; name: string }[], members: { id: string; name: string }[]) {
  const c = r.conditions;
  const parts = [
    c.minScore !== undefined || c.maxScore !== undefined
      ? `score ${c.minScore ?? 0}–${c.maxScore ?? 100}`
      : null,
    c.languages?.length ? `language ${c.languages.join("/")}` : null,
    c.territories?.length ? `territory ${c.territories.join("/")}` : null,
    c.sources?.length ? `source ${c.sources.join("/")}` : null,
  ].filter(Boolean);
  const who =
    r.strategy === "specific"
      ? (members.find((m) => m.id === r.ownerId)?.name ?? "a member")
      : `${r.strategy.replaceAll("_", " ")}${r.teamId ? ` in ${teams.find((t) => t.id === r.teamId)?.name ?? "a team"}` : ""}`;
  return `${parts.length ? `When ${parts.join(", ")}` : "Any lead"} → ${who}`;
}

export default function Assignment({ loaderData, actionData }: Route.ComponentProps) {
  const { rules, teams, members } = loaderData;
  const errors: FormErrors | undefined = actionData && "errors" in actionData ? actionData.errors : undefined;
  return (
    <>
      <p className="muted">
        New leads go through these rules in order; the first that matches decides who gets the lead.
      </p>
      {rules.length === 0 ? (
        <p className="empty">No rules: leads are shared round-robin among everyone online.</p>
      ) : (
        <ol className="rule-list">
          {rules.map((r, i) => (
            <li key={r.id} className="card rule">
              <div>
                <strong>{r.name}</strong> {r.enabled ? null : <span className="badge">disabled</span>}
                <div className="small muted">{summary(r, teams, members)}</div>
              </div>
              <Form method="post" className="step-tools">
                <input type="hidden" name="id" value={r.id} />
                <button
                  type="submit"
                  name="intent"
                  value="up"
                  disabled={i === 0}
                  aria-label={`Move ${r.name} up`}
                >
                  Up
                </button>
                <button
                  type="submit"
                  name="intent"
                  value="down"
                  disabled={i === rules.length - 1}
                  aria-label={`Move ${r.name} down`}
                >
                  Down
                </button>
                <button type="submit" name="intent" value="toggle">
                  {r.enabled ? "Disable" : "Enable"}
                </button>
                <button
                  type="submit"
                  name="intent"
                  value="delete"
                  className="danger"
                  aria-label={`Delete ${r.name}`}
                >
                  Delete
                </button>
              </Form>
            </li>
          ))}
        </ol>
      )}
      <section className="card" aria-labelledby="add-rule-title">
        <h2 id="add-rule-title">Add a rule</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="add" />
          <FormError errors={errors} />
          <div className="grid-2">
            <Field
              name="name"
              label="Name"
              autoComplete="off"
              errors={errors}
              placeholder="Hot leads to seniors"
            />
            <div className="field">
              <label htmlFor="rule-strategy">Strategy</label>
              <select id="rule-strategy" name="strategy" defaultValue="round_robin">
                {STRATEGIES.map((s) => (
                  <option key={s} value={s}>
                    {s.replaceAll("_", " ")}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="rule-team">Team</label>
              <select
                id="rule-team"
                name="teamId"
                defaultValue=""
                aria-invalid={errors?.fields.teamId ? true : undefined}
              >
                <option value="">{teams.length ? "Choose a team" : "No teams yet"}</option>
                {teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              <p className="field-error" data-field-error="teamId">
                {errors?.fields.teamId ?? ""}
              </p>
            </div>
            <div className="field">
              <label htmlFor="rule-owner">Member (for “specific”)</label>
              <select id="rule-owner" name="ownerId" defaultValue="">
                <option value="">—</option>
                {members.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
              <p className="field-error" data-field-error="ownerId">
                {errors?.fields.ownerId ?? ""}
              </p>
            </div>
            <Field
              name="conditions.minScore"
              label="Minimum score"
              type="number"
              min={0}
              max={100}
              errors={errors}
            />
            <Field
              name="conditions.maxScore"
              label="Maximum score"
              type="number"
              min={0}
              max={100}
              errors={errors}
            />
            <Field
              name="conditions.languages"
              label="Languages (comma separated)"
              placeholder="en, de"
              errors={errors}
            />
            <Field
              name="conditions.territories"
              label="Territories (comma separated)"
              placeholder="DE, AT"
              errors={errors}
            />
          </div>
          <Submit busy="Adding…">Add rule</Submit>
        </Form>
      </section>
    </>
  );
}
