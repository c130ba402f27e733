import { useEffect, useRef } from "react";
import { Form, Link, redirect } from "react-router";
import { Field, FormError, NewPasswordField, Submit } from "../components/form.js";
import { api, cookieHeaders } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/signup";

export const meta: Route.MetaFunction = () => [{ title: "Sign up · AutopilotCRM" }];

const FIELDS = ["name", "companyName", "email", "password"] as const;

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const timeZone = text(form, "timeZone");
  const { error } = await client.POST("/v1/auth/signup", {
    body: {
      name: text(form, "name"),
      companyName: text(form, "companyName"),
      email: text(form, "email"),
      password: text(form, "password"),
      ...(timeZone ? { timeZone } : {}),
    },
  });
  if (error) return { errors: formErrors(error, FIELDS) };
  // Signed in already; the verification mail is on its way (the app layout shows the reminder).
  return redirect("/onboarding", { headers: cookieHeaders(client) });
}

export default function Signup({ actionData }: Route.ComponentProps) {
  const errors: FormErrors | undefined = actionData?.errors;
  return (
    <>
      <h1>Create your workspace</h1>
      <Form method="post" noValidate>
        <FormError errors={errors} />
        <Field name="name" label="Your name" autoComplete="name" required errors={errors} />
        <Field name="companyName" label="Company" autoComplete="organization" required errors={errors} />
        <Field name="email" label="Work email" type="email" autoComplete="email" required errors={errors} />
        <NewPasswordField errors={errors} />
        <TimeZoneInput />
        <Submit busy="Creating…">Create workspace</Submit>
      </Form>
      <p className="links">
        <Link to="/login">I already have an account</Link>
      </p>
    </>
  );
}

/** The browser's time zone, so reports count days where the business is (the API defaults to UTC). */
function TimeZoneInput() {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
  }, []);
  return <input ref={ref} type="hidden" name="timeZone" defaultValue="" />;
}
