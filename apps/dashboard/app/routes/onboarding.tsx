import { Link, redirect } from "react-router";
import {
  CompanyStep,
  PlaybooksStep,
  type OnboardingSource as Source,
  TestStep,
  WebsiteStep,
  WidgetStep,
} from "../components/onboarding-steps.js";
import { api } from "../lib/api.server.js";
import { formErrors, text } from "../lib/forms.js";
import { PLAYBOOKS } from "../lib/playbooks.js";
import { triedTurn } from "../lib/try-outcome.js";
import type { Route } from "./+types/onboarding";

export const meta: Route.MetaFunction = () => [{ title: "Get started · AutopilotCRM" }];

// The onboarding wizard: one URL, the step in ?step=. Each step reads and writes through the API, so
// the wizard can be left and resumed at any point (what is done shows as done).
const STEPS = [
  { id: "company", label: "Company" },
  { id: "website", label: "Website" },
  { id: "playbooks", label: "Playbooks" },
  { id: "widget", label: "Chat widget" },
  { id: "test", label: "Test chat" },
] as const;
type StepId = (typeof STEPS)[number]["id"];

const stepOf = (request: Request): StepId => {
  const step = new URL(request.url).searchParams.get("step");
  return STEPS.find((s) => s.id === step)?.id ?? "company";
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const step = stepOf(request);
  const client = api(request, context);
  const apiOrigin = context.cloudflare.env.API_PUBLIC_URL;
  if (step === "website") {
    const { data } = await client.GET("/v1/knowledge/sources");
    const websites = (data?.sources ?? []).filter((s) => s.kind === "website");
    // The list has no progress; the newest website's detail has it (one more call, only here).
    const newest = websites[0];
    const detail = newest
      ? (await client.GET("/v1/knowledge/sources/{id}", { params: { path: { id: newest.id } } })).data
      : undefined;
    return {
      step,
      sources: websites as Source[],
      current: (detail ?? newest) as Source | undefined,
      failed: !data,
    };
  }
  if (step === "playbooks") {
    const { data } = await client.GET("/v1/routes");
    // Only titles and summaries go to the browser; the route definitions stay on the server.
    const templates = PLAYBOOKS.map(({ id, title, summary }) => ({ id, title, summary }));
    return { step, templates, existing: (data?.routes ?? []).map((r) => r.id), failed: !data };
  }
  if (step === "widget") {
    const { data } = await client.GET("/v1/widget-keys");
    return { step, widgetKey: data?.widgetKeys.find((k) => k.enabled)?.publicKey, apiOrigin, failed: !data };
  }
  return { step, failed: false };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  switch (text(form, "intent")) {
    case "rename": {
      const { error } = await client.PATCH("/v1/workspace", { body: { name: text(form, "name") } });
      if (error) return { errors: formErrors(error, ["name"]) };
      // The layout's loader runs again after this action: the header shows the new name.
      return { renamed: true };
    }
    case "add-website": {
      const { error } = await client.POST("/v1/knowledge/sources", {
        body: {
          kind: "website",
          startUrl: text(form, "startUrl").trim(),
          maxPages: 50,
          maxDepth: 3,
          include: [],
          exclude: [],
        },
      });
      if (error) return { errors: formErrors(error, ["startUrl"]) };
      // A fetcher: the page's loaders re-run by themselves and show the new source's progress.
      return { added: true };
    }
    case "add-playbooks": {
      const chosen = PLAYBOOKS.filter((p) => form.getAll("playbook").includes(p.id));
      if (chosen.length === 0) return { errors: { fields: { playbook: "Pick at least one playbook." } } };
      for (const playbook of chosen) {
        const { error } = await client.POST("/v1/routes", { body: playbook.route });
        // 409: already added (a second click, another tab) — fine.
        if (error && error.error.code !== "conflict" && error.error.code !== "route_exists")
          return { errors: { fields: {}, form: `${playbook.title}: ${error.error.message}` } };
      }
      const scoring = chosen.flatMap((p) => p.scoring ?? []);
      const current = await client.GET("/v1/scoring-rules");
      if (scoring.length > 0 && current.data?.rules.length === 0) {
        const { error } = await client.PUT("/v1/scoring-rules", { body: { rules: scoring } });
        if (error) return { errors: { fields: {}, form: `Lead scoring: ${error.error.message}` } };
      }
      // A new workspace has no assignment rules, so chat leads would stay unowned: until teams are set
      // up, they go to whoever set up the playbooks.
      const rules = await client.GET("/v1/assignment-rules");
      const me = await client.GET("/v1/me");
      if (rules.data?.rules.length === 0 && me.data?.user) {
        const { error } = await client.PUT("/v1/assignment-rules", {
          body: {
            rules: [
              { name: `New leads to ${me.data.user.name}`, strategy: "specific", ownerId: me.data.user.id },
            ],
          },
        });
        if (error) return { errors: { fields: {}, form: `Lead assignment: ${error.error.message}` } };
      }
      return redirect("/onboarding?step=widget");
    }
    case "create-widget": {
      const me = await client.GET("/v1/me");
      const { error } = await client.POST("/v1/widget-keys", {
        body: { settings: { title: `Chat with ${me.data?.tenant.name ?? "us"}` }, allowedOrigins: [] },
      });
      if (error) return { errors: formErrors(error, []) };
      return redirect("/onboarding?step=widget");
    }
    case "try": {
      const message = text(form, "message").trim();
      const { data, error } = await client.POST("/v1/routes/try", { body: { text: message } });
      if (error) return { errors: formErrors(error, ["text"]) };
      return { tried: triedTurn(message, data) };
    }
  }
  return { errors: { fields: {}, form: "Unknown action" } };
}

export default function Onboarding({ loaderData, actionData }: Route.ComponentProps) {
  const current = STEPS.findIndex((s) => s.id === loaderData.step);
  const next = STEPS[current + 1];
  return (
    <>
      <h1>Get started</h1>
      <nav aria-label="Onboarding steps">
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li
              key={s.id}
              aria-current={i === current ? "step" : undefined}
              className={i < current ? "done" : undefined}
            >
              <Link to={`?step=${s.id}`}>
                {i + 1}. {s.label}
              </Link>
            </li>
          ))}
        </ol>
      </nav>
      <section className="card" aria-labelledby="step-title">
        {loaderData.failed ? (
          <p className="form-error" role="alert">
            This step could not load its data. Reload to retry.
          </p>
        ) : null}
        {loaderData.step === "company" ? <CompanyStep data={actionData} /> : null}
        {loaderData.step === "website" ? (
          <WebsiteStep sources={loaderData.sources ?? []} current={loaderData.current} />
        ) : null}
        {loaderData.step === "playbooks" ? (
          <PlaybooksStep templates={loaderData.templates ?? []} existing={loaderData.existing ?? []} />
        ) : null}
        {loaderData.step === "widget" ? (
          <WidgetStep widgetKey={loaderData.widgetKey} apiOrigin={loaderData.apiOrigin ?? ""} />
        ) : null}
        {loaderData.step === "test" ? <TestStep /> : null}
        <div className="actions">
          {next ? (
            <Link className="button primary" to={`?step=${next.id}`}>
              Continue to {next.label.toLowerCase()}
            </Link>
          ) : (
            <Link className="button primary" to="/">
              Finish
            </Link>
          )}
        </div>
      </section>
    </>
  );
}
