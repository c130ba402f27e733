import { Form, Link, redirect } from "react-router";
import { Field, FormError, NewPasswordField, Submit } from "../components/form.js";
import { api } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/reset-password";

export const meta: Route.MetaFunction = () => [{ title: "Reset your password · AutopilotCRM" }];

export const loader = ({ request }: Route.LoaderArgs) => ({
  token: new URL(request.url).searchParams.get("token") ?? "",
});

// Two steps on one page: without a token, ask for the email and mail a link; with the link's token,
// choose the new password.
export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const token = text(form, "token");
  if (!token) {
    const { error } = await client.POST("/v1/auth/password-reset/request", {
      body: { email: text(form, "email") },
    });
    return error ? { errors: formErrors(error, ["email"]), sent: false } : { errors: undefined, sent: true };
  }
  const { error } = await client.POST("/v1/auth/password-reset/confirm", {
    body: { token, password: text(form, "password") },
  });
  if (error) return { errors: formErrors(error, ["password"]), sent: false };
  return redirect("/login?reset=1");
}

export default function ResetPassword({ loaderData, actionData }: Route.ComponentProps) {
  const errors: FormErrors | undefined = actionData?.errors;
  if (actionData?.sent)
    return (
      <>
        <h1>Check your mail</h1>
        <p>
          If an account uses that address, a link to choose a new password is on its way. It is valid for an
          hour.
        </p>
        <p className="muted small">
          Running locally? The link is printed in the terminal where <code>npm start</code> runs.
        </p>
        <p className="links">
          <Link to="/login">Back to log in</Link>
        </p>
      </>
    );
  if (loaderData.token)
    return (
      <>
        <h1>Choose a new password</h1>
        <Form method="post" noValidate>
          <FormError errors={errors} />
          <input type="hidden" name="token" value={loaderData.token} />
          <NewPasswordField label="New password" errors={errors} />
          <Submit busy="Saving…">Set password</Submit>
        </Form>
      </>
    );
  return (
    <>
      <h1>Reset your password</h1>
      <Form method="post" noValidate>
        <FormError errors={errors} />
        <Field name="email" label="Email" type="email" autoComplete="email" required errors={errors} />
        <Submit busy="Sending…">Mail me a link</Submit>
      </Form>
      <p className="links">
        <Link to="/login">Back to log in</Link>
      </p>
    </>
  );
}
