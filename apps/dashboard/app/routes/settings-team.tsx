import { Form, useNavigation } from "react-router";
import { ConfirmForm } from "../components/confirm-form.js";
import { Field, FormError, SelectField, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-team";

export const meta: Route.MetaFunction = () => [{ title: "Team · Settings · AutopilotCRM" }];

const ROLES = ["viewer", "agent", "admin", "owner"] as const;
type Role = (typeof ROLES)[number];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [me, { data, response }, teams] = await Promise.all([
    requireAdmin(request, context),
    client.GET("/v1/members"),
    client.GET("/v1/teams"),
  ]);
  if (!data) throw new Response("Could not load the team", { status: response.status });
  return {
    members: data.members,
    invites: data.invites,
    myId: me.user?.id ?? null,
    teams: (teams.data?.teams ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      members: t.members.map((m) => m.userId),
    })),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  if (intent === "invite") {
    const { error } = await client.POST("/v1/members/invites", {
      body: { email: text(form, "email"), role: text(form, "role") as Role },
    });
    return error
      ? { errors: formErrors(error, ["email", "role"]), intent }
      : { invited: text(form, "email") };
  }
  // Teams (groups used by assignment rules: round-robin, weighted and least-loaded pick within one).
  if (intent === "team-create") {
    const { error } = await client.POST("/v1/teams", { body: { name: text(form, "name") } });
    return error ? { errors: formErrors(error, ["name"]), intent } : { teamCreated: true };
  }
  if (intent === "team-add" || intent === "team-remove") {
    const path = { id: text(form, "teamId"), userId: text(form, "userId") };
    const { error } =
      intent === "team-add"
        ? await client.PUT("/v1/teams/{id}/members/{userId}", { params: { path }, body: {} })
        : await client.DELETE("/v1/teams/{id}/members/{userId}", { params: { path } });
    return error ? { errors: formErrors(error, []), intent, teamId: path.id } : { teamChanged: true };
  }
  const userId = text(form, "userId");
  if (intent === "role") {
    const { error } = await client.PATCH("/v1/members/{userId}", {
      params: { path: { userId } },
      body: { role: text(form, "role") as Role },
    });
    return error ? { errors: formErrors(error, []), intent, userId } : { changed: userId };
  }
  if (intent === "remove") {
    const { error } = await client.DELETE("/v1/members/{userId}", { params: { path: { userId } } });
    return error ? { errors: formErrors(error, []), intent, userId } : { removed: userId };
  }
  throw new Response("Unknown action", { status: 400 });
}

export default function Team({ loaderData, actionData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { members, invites, myId, teams } = loaderData;
  const inviteErrors: FormErrors | undefined =
    actionData && "intent" in actionData && actionData.intent === "invite" ? actionData.errors : undefined;
  const rowError =
    actionData && "userId" in actionData
      ? { userId: actionData.userId, message: actionData.errors?.form }
      : null;
  const busy = useNavigation().state === "submitting";
  const teamCreateError =
    actionData && "intent" in actionData && actionData.intent === "team-create"
      ? (actionData.errors?.fields.name ?? actionData.errors?.form)
      : undefined;
  const teamError =
    actionData && "teamId" in actionData
      ? { teamId: actionData.teamId, message: actionData.errors?.form }
      : null;
  return (
    <>
      <section aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.name || m.email}
                    {m.userId === myId ? <span className="muted"> (you)</span> : null}
                    <div className="small muted">
                      {m.email}
                      {m.emailVerified ? "" : " · not verified"}
                    </div>
                    {rowError?.userId === m.userId ? (
                      <p className="field-error" role="alert">
                        {rowError.message}
                      </p>
                    ) : null}
                  </td>
                  <td>
                    <Form method="post" className="row-form">
                      <input type="hidden" name="intent" value="role" />
                      <input type="hidden" name="userId" value={m.userId} />
                      <label htmlFor={`role-${m.userId}`} className="visually-hidden">
                        Role of {m.name || m.email}
                      </label>
                      <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      <button type="submit" disabled={busy}>
                        Change
                      </button>
                    </Form>
                  </td>
                  <td>
                    {m.userId === myId ? null : (
                      <ConfirmForm
                        intent="remove"
                        fields={{ userId: m.userId }}
                        question={`Remove ${m.email} from the workspace?`}
                        label={`Remove ${m.email}`}
                      >
                        Remove
                      </ConfirmForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <p className="muted small">They get a single-use link by email, valid for 7 days.</p>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="invite" />
          <FormError errors={inviteErrors} />
          <div className="grid-2">
            <Field name="email" label="Email" type="email" autoComplete="off" errors={inviteErrors} />
            <SelectField id="invite-role" name="role" label="Role" options={ROLES} defaultValue="agent" />
          </div>
          <Submit busy="Inviting…">Send invite</Submit>
          <p className="success-line" role="status">
            {actionData && "invited" in actionData ? `Invite sent to ${actionData.invited}.` : ""}
          </p>
        </Form>
      </section>

      <section className="card" aria-labelledby="teams-title">
        <h2 id="teams-title">Teams</h2>
        <p className="muted small">
          Assignment rules share leads within a team (round-robin, weighted, least loaded).
        </p>
        {teams.length === 0 ? <p className="empty">No teams yet.</p> : null}
        <ul className="plain-list team-list">
          {teams.map((t) => {
            const outside = members.filter((m) => !t.members.includes(m.userId));
            return (
              <li key={t.id}>
                <strong>{t.name}</strong>:{" "}
                {t.members.length === 0
                  ? "no members"
                  : t.members.map((id) => {
                      const m = members.find((x) => x.userId === id);
                      return (
                        <Form method="post" key={id} className="chip">
                          <input type="hidden" name="intent" value="team-remove" />
                          <input type="hidden" name="teamId" value={t.id} />
                          <input type="hidden" name="userId" value={id} />
                          {m?.name || m?.email || "member"}
                          <button
                            type="submit"
                            className="link-button"
                            aria-label={`Remove ${m?.email ?? "member"} from ${t.name}`}
                          >
                            ×
                          </button>
                        </Form>
                      );
                    })}
                {outside.length ? (
                  <Form method="post" className="row-form team-add">
                    <input type="hidden" name="intent" value="team-add" />
                    <input type="hidden" name="teamId" value={t.id} />
                    <label htmlFor={`team-add-${t.id}`} className="visually-hidden">
                      Add a member to {t.name}
                    </label>
                    <select id={`team-add-${t.id}`} name="userId">
                      {outside.map((m) => (
                        <option key={m.userId} value={m.userId}>
                          {m.name || m.email}
                        </option>
                      ))}
                    </select>
                    <button type="submit">Add to team</button>
                  </Form>
                ) : null}
                {teamError?.teamId === t.id ? (
                  <p className="field-error" role="alert">
                    {teamError.message}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
        <Form method="post" noValidate className="inline-form">
          <input type="hidden" name="intent" value="team-create" />
          <label htmlFor="team-name">New team</label>
          <input
            id="team-name"
            name="name"
            placeholder="Sales"
            aria-invalid={teamCreateError ? true : undefined}
          />
          <button type="submit">Create team</button>
        </Form>
        <p className="field-error" role="alert" data-field-error="team-name">
          {teamCreateError ?? ""}
        </p>
      </section>

      <section aria-labelledby="invites-title">
        <h2 id="invites-title">Pending invites</h2>
        {invites.length === 0 ? (
          <p className="empty">No pending invites.</p>
        ) : (
          <ul className="plain-list">
            {invites.map((i) => (
              <li key={i.id}>
                {i.email} · {i.role} · expires {day(i.expiresAt)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
