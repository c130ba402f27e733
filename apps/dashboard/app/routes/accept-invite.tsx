import { Form, redirect } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { api, cookieHeaders } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/accept-invite";

export const meta: Route.MetaFunction = () => [{ title: "Join your team · AutopilotCRM" }];

export const loader = ({ request }: Route.LoaderArgs) => ({
  token: new URL(request.url).searchParams.get("token") ?? "",
});

const FIELDS = ["name", "password"] as const;

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const name = text(form, "name").trim();
  const { error } = await client.POST("/v1/auth/accept-invite", {
    body: { token: text(form, "token"), password: text(form, "password"), ...(name ? { name } : {}) },
  });
  if (error) return { errors: formErrors(error, FIELDS) };
  return redirect("/", { headers: cookieHeaders(client) });
}

export default function AcceptInvite({ loaderData, actionData }: Route.ComponentProps) {
  const errors: FormErrors | undefined = actionData?.errors;
  if (!loaderData.token)
    return (
      <>
        <h1>Join your team</h1>
        <p>Open the link in your invitation mail to join.</p>
      </>
    );
  return (
    <>
      <h1>Join your team</h1>
      <p className="muted">
        New here? Choose your name and a password. Already have an account? Enter its password.
      </p>
      <Form method="post" noValidate>
        <FormError errors={errors} />
        <input type="hidden" name="token" value={loaderData.token} />
        <Field name="name" label="Your name" autoComplete="name" errors={errors} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 10 characters for a new account."
          errors={errors}
        />
        <Submit busy="Joining…">Join the workspace</Submit>
      </Form>
    </>
  );
}
