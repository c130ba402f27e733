import { Form } from "react-router";
import { FormError } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-pipelines";

export const meta: Route.MetaFunction = () => [{ title: "Pipelines · Settings · AutopilotCRM" }];

const CATEGORIES = ["open", "won", "lost"] as const;
type Category = (typeof CATEGORIES)[number];

export async function loader({ request, context }: Route.LoaderArgs) {
  const [, { data, response }] = await Promise.all([
    requireAdmin(request, context),
    api(request, context).GET("/v1/pipelines"),
  ]);
  if (!data) throw new Response("Could not load the pipelines", { status: response.status });
  return { pipelines: data.pipelines };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const id = text(form, "pipelineId");
  const stageId = text(form, "stageId");
  const stage = {
    name: text(form, "name"),
    probability: Number(text(form, "probability")),
    category: text(form, "category") as Category,
  };
  let error: Parameters<typeof formErrors>[0];
  switch (text(form, "intent")) {
    case "create":
      // A new pipeline starts with the usual stages; rename, re-weight and reorder them below.
      ({ error } = await client.POST("/v1/pipelines", {
        body: {
          name: text(form, "name"),
          stages: [
            { name: "New", probability: 10, category: "open" },
            { name: "Qualified", probability: 30, category: "open" },
            { name: "Proposal", probability: 60, category: "open" },
            { name: "Won", probability: 100, category: "won" },
            { name: "Lost", probability: 0, category: "lost" },
          ],
        },
      }));
      if (error) return { errors: formErrors(error, ["name"]), at: "new" };
      return { ok: true };
    case "rename":
      ({ error } = await client.PATCH("/v1/pipelines/{id}", {
        params: { path: { id } },
        body: { name: text(form, "name"), ...(form.get("isDefault") ? { isDefault: true } : {}) },
      }));
      break;
    case "add-stage":
      ({ error } = await client.POST("/v1/pipelines/{id}/stages", { params: { path: { id } }, body: stage }));
      break;
    case "save-stage":
      ({ error } = await client.PATCH("/v1/pipelines/{id}/stages/{stageId}", {
        params: { path: { id, stageId } },
        body: stage,
      }));
      break;
    case "delete-stage":
      ({ error } = await client.DELETE("/v1/pipelines/{id}/stages/{stageId}", {
        params: { path: { id, stageId }, query: {} },
      }));
      break;
    case "move": {
      const ids = text(form, "order").split(",");
      ({ error } = await client.PUT("/v1/pipelines/{id}/stages", {
        params: { path: { id } },
        body: { stageIds: ids },
      }));
      break;
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
  if (error) return { errors: formErrors(error, []), at: stageId || id };
  return { ok: true };
}

export default function Pipelines({ loaderData, actionData }: Route.ComponentProps) {
  const failed = actionData && "errors" in actionData ? actionData : undefined;
  const errorAt = (key: string): FormErrors | undefined => (failed?.at === key ? failed.errors : undefined);
  return (
    <>
      {loaderData.pipelines.length === 0 ? <p className="empty">No pipelines yet.</p> : null}
      <Form method="post" className="card inline-form" aria-label="New pipeline">
        <input type="hidden" name="intent" value="create" />
        <label htmlFor="new-pipeline">New pipeline</label>
        <input
          id="new-pipeline"
          name="name"
          placeholder="Sales"
          aria-invalid={errorAt("new") ? true : undefined}
        />
        <button type="submit">Create pipeline</button>
        <p className="field-error range-error" role="alert" data-field-error="name">
          {errorAt("new")?.fields.name ?? errorAt("new")?.form ?? ""}
        </p>
      </Form>
      {loaderData.pipelines.map((p) => {
        const ids = p.stages.map((s) => s.id);
        const order = (i: number, by: number) => {
          const next = [...ids];
          const [moved] = next.splice(i, 1);
          if (moved) next.splice(i + by, 0, moved);
          return next.join(",");
        };
        return (
          <section key={p.id} className="card" aria-label={`Pipeline ${p.name}`}>
            <Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="rename" />
              <input type="hidden" name="pipelineId" value={p.id} />
              <label htmlFor={`pipeline-${p.id}`}>Pipeline</label>
              <input id={`pipeline-${p.id}`} name="name" defaultValue={p.name} />
              <label className="check-inline">
                <input type="checkbox" name="isDefault" defaultChecked={p.isDefault} disabled={p.isDefault} />{" "}
                Default
              </label>
              <button type="submit">Save</button>
            </Form>
            <FormError errors={errorAt(p.id)} />
            <div className="table-wrap">
              <table className="table stages">
                <thead>
                  <tr>
                    <th scope="col">Stage</th>
                    <th scope="col">Win %</th>
                    <th scope="col">Category</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.stages.map((s, i) => {
                    const formId = `stage-${s.id}`;
                    return (
                      <tr key={s.id}>
                        <td>
                          <label htmlFor={`${formId}-name`} className="visually-hidden">
                            Stage name
                          </label>
                          <input id={`${formId}-name`} form={formId} name="name" defaultValue={s.name} />
                          {errorAt(s.id) ? (
                            <p className="field-error" role="alert">
                              {errorAt(s.id)?.form}
                            </p>
                          ) : null}
                        </td>
                        <td>
                          <label htmlFor={`${formId}-p`} className="visually-hidden">
                            Win probability of {s.name}
                          </label>
                          <input
                            id={`${formId}-p`}
                            form={formId}
                            name="probability"
                            type="number"
                            min={0}
                            max={100}
                            defaultValue={s.probability}
                            className="narrow-input"
                          />
                        </td>
                        <td>
                          <label htmlFor={`${formId}-c`} className="visually-hidden">
                            Category of {s.name}
                          </label>
                          <select id={`${formId}-c`} form={formId} name="category" defaultValue={s.category}>
                            {CATEGORIES.map((c) => (
                              <option key={c} value={c}>
                                {c}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <Form method="post" id={formId} className="step-tools">
                            <input type="hidden" name="pipelineId" value={p.id} />
                            <input type="hidden" name="stageId" value={s.id} />
                            <button type="submit" name="intent" value="save-stage">
                              Save
                            </button>
                            <button
                              type="submit"
                              name="intent"
                              value="move"
                              disabled={i === 0}
                              onClick={(e) => {
                                (
                                  e.currentTarget.form?.elements.namedItem("order") as HTMLInputElement
                                ).value = order(i, -1);
                              }}
                              aria-label={`Move ${s.name} up`}
                            >
                              ↑
                            </button>
                            <button
                              type="submit"
                              name="intent"
                              value="move"
                              disabled={i === ids.length - 1}
                              onClick={(e) => {
                                (
                                  e.currentTarget.form?.elements.namedItem("order") as HTMLInputElement
                                ).value = order(i, 1);
                              }}
                              aria-label={`Move ${s.name} down`}
                            >
                              ↓
                            </button>
                            <input type="hidden" name="order" defaultValue="" />
                            <button
                              type="submit"
                              name="intent"
                              value="delete-stage"
                              className="danger"
                              aria-label={`Delete ${s.name}`}
                            >
                              Delete
                            </button>
                          </Form>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Form method="post" className="inline-form add-stage">
              <input type="hidden" name="intent" value="add-stage" />
              <input type="hidden" name="pipelineId" value={p.id} />
              <label htmlFor={`new-stage-${p.id}`}>New stage</label>
              <input id={`new-stage-${p.id}`} name="name" placeholder="Negotiation" />
              <label htmlFor={`new-stage-p-${p.id}`}>Win %</label>
              <input
                id={`new-stage-p-${p.id}`}
                name="probability"
                type="number"
                min={0}
                max={100}
                defaultValue={50}
                className="narrow-input"
              />
              <input type="hidden" name="category" value="open" />
              <button type="submit">Add stage</button>
            </Form>
          </section>
        );
      })}
    </>
  );
}
