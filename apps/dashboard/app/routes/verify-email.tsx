import { Form, Link } from "react-router";
import { FormError, Submit } from "../components/form.js";
import { api } from "../lib/api.server.js";
import { formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/verify-email";

export const meta: Route.MetaFunction = () => [{ title: "Confirm your email · AutopilotCRM" }];

export const loader = ({ request }: Route.LoaderArgs) => ({
  token: new URL(request.url).searchParams.get("token") ?? "",
});

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const { error } = await api(request, context).POST("/v1/auth/verify-email", {
    body: { token: text(form, "token") },
  });
  return error ? { verified: false, errors: formErrors(error, []) } : { verified: true, errors: undefined };
}

// The link only opens this page; confirming is a button (a POST), so mail scanners that follow links
// cannot confirm an address for someone.
export default function VerifyEmail({ loaderData, actionData }: Route.ComponentProps) {
  if (actionData?.verified)
    return (
      <>
        <h1>Email confirmed</h1>
        <p>Thank you. Your address is confirmed.</p>
        <p>
          <Link className="button primary" to="/">
            Go to the dashboard
          </Link>
        </p>
      </>
    );
  if (!loaderData.token)
    return (
      <>
        <h1>Confirm your email</h1>
        <p>Open the link in the verification mail we sent you. It is valid for 48 hours.</p>
      </>
    );
  return (
    <>
      <h1>Confirm your email</h1>
      <Form method="post">
        <FormError errors={actionData?.errors} />
        <input type="hidden" name="token" value={loaderData.token} />
        <Submit busy="Confirming…">Confirm my email address</Submit>
      </Form>
    </>
  );
}
