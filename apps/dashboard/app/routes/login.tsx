import { Form, Link, redirect, useSearchParams } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { api, cookieHeaders } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { safeNext } from "../lib/session.server.js";
import type { Route } from "./+types/login";

export const meta: Route.MetaFunction = () => [{ title: "Log in · AutopilotCRM" }];

const FIELDS = ["email", "password"] as const;

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const { error, response } = await client.POST("/v1/auth/login", {
    body: { email: text(form, "email"), password: text(form, "password") },
  });
  if (error) {
    // 401 is the one answer for an unknown email and a wrong password alike (no account probing).
    if (response.status === 401) return { errors: { fields: {}, form: "Wrong email or password." } };
    return { errors: formErrors(error, FIELDS) };
  }
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  return redirect(next, { headers: cookieHeaders(client) });
}

export default function Login({ actionData }: Route.ComponentProps) {
  const errors: FormErrors | undefined = actionData?.errors;
  const [params] = useSearchParams();
  return (
    <>
      <h1>Log in</h1>
      {params.get("reset") ? (
        <p className="notice">Your password was changed. Log in with the new one.</p>
      ) : null}
      <Form method="post" noValidate>
        <FormError errors={errors} />
        <Field name="email" label="Email" type="email" autoComplete="email" required errors={errors} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          errors={errors}
        />
        <Submit busy="Logging in…">Log in</Submit>
      </Form>
      <p className="links">
        <Link to="/reset-password">Forgot your password?</Link>
        <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}
