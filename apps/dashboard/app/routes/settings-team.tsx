import { Form, useNavigation } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-team";

export const meta: Route.MetaFunction = () => [{ title: "Team · Settings · AutopilotCRM" }];

const ROLES = ["viewer", "agent", "admin", "owner"] as const;
type Role = (typeof ROLES)[number];

export async function loader({ request, context }: Route.LoaderArgs) {
  const me = await requireAdmin(request, context);
  const { data, response } = await api(request, context).GET("/v1/members");
  if (!data) throw new Response("Could not load the team", { status: response.status });
  return { members: data.members, invites: data.invites, myId: me.user?.id ?? null };
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
  const { members, invites, myId } = loaderData;
  const inviteErrors: FormErrors | undefined =
    actionData && "intent" in actionData && actionData.intent === "invite" ? actionData.errors : undefined;
  const rowError =
    actionData && "userId" in actionData
      ? { userId: actionData.userId, message: actionData.errors?.form }
      : null;
  const busy = useNavigation().state === "submitting";
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
                      <Form
                        method="post"
                        onSubmit={(e) => {
                          if (!confirm(`Remove ${m.email} from the workspace?`)) e.preventDefault();
                        }}
                      >
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="userId" value={m.userId} />
                        <button type="submit" className="danger" aria-label={`Remove ${m.email}`}>
                          Remove
                        </button>
                      </Form>
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
            <div className="field">
              <label htmlFor="invite-role">Role</label>
              <select id="invite-role" name="role" defaultValue="agent">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Submit busy="Inviting…">Send invite</Submit>
          <p className="success-line" role="status">
            {actionData && "invited" in actionData ? `Invite sent to ${actionData.invited}.` : ""}
          </p>
        </Form>
      </section>

      <section aria-labelledby="invites-title">
        <h2 id="invites-title">Pending invites</h2>
        {invites.length === 0 ? (
          <p className="empty">No pending invites.</p>
        ) : (
          <ul className="plain-list">
            {invites.map((i) => (
              <li key={i.id}>
                {i.email} · {i.role} · expires {new Date(i.expiresAt).toLocaleDateString("en")}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
