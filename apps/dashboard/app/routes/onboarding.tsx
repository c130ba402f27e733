import { useEffect, useRef, useState } from "react";
import { Form, Link, redirect, useFetcher, useRouteLoaderData } from "react-router";
import { CrawlProblems } from "../components/crawl-problems.js";
import { Field, FormError, Submit } from "../components/form.js";
import { Sources } from "../components/try-console.js";
import { api } from "../lib/api.server.js";
import { type CrawlProblem, sourceErrorText } from "../lib/crawl.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { PLAYBOOKS } from "../lib/playbooks.js";
import { outcomeLabel, type TriedTurn, triedTurn } from "../lib/try-outcome.js";
import { useReloadWhile } from "../lib/use-reload-while.js";
import type { Route } from "./+types/onboarding";
import type { loader as layoutLoader } from "./app-layout.js";

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

type Source = {
  id: string;
  name: string;
  status: string;
  pageCount: number;
  chunkCount: number;
  lastError: string | null;
  config?: { startUrl?: string } | null;
  progress?:
    | { queued: number; fetched: number; skipped: number; failed: number; problems: CrawlProblem[] }
    | undefined;
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

function useActionErrors(data: unknown): FormErrors | undefined {
  return (data as { errors?: FormErrors } | undefined)?.errors;
}

function CompanyStep({ data }: { data: unknown }) {
  const me = useRouteLoaderData<typeof layoutLoader>("routes/app-layout")?.me;
  const errors = useActionErrors(data);
  const renamed = (data as { renamed?: boolean } | undefined)?.renamed;
  // Admins name the workspace here (PATCH /v1/workspace); others see it.
  const canRename = me ? allows(me.role as Role, "admin") : false;
  return (
    <>
      <h2 id="step-title">Your company</h2>
      {canRename ? (
        <Form method="post" noValidate id="company-form">
          <input type="hidden" name="intent" value="rename" />
          <FormError errors={errors} />
          <Field
            name="name"
            label="Company name"
            defaultValue={me?.tenant.name}
            key={me?.tenant.name}
            autoComplete="organization"
            maxLength={120}
            hint="Shown in the app's header and to your team."
            errors={errors}
          />
          <Submit busy="Saving…">Save name</Submit>
          <p className="small" role="status" data-company-saved="">
            {renamed ? "Saved." : ""}
          </p>
        </Form>
      ) : null}
      <dl className="facts">
        {canRename ? null : (
          <>
            <dt>Company</dt>
            <dd>{me?.tenant.name}</dd>
          </>
        )}
        <dt>Time zone</dt>
        <dd>{me?.tenant.timeZone}</dd>
        <dt>Your role</dt>
        <dd>{me?.role}</dd>
      </dl>
      <p className="muted">
        The time zone was set at sign-up; reports count days in it. Next, teach the assistant about your
        business.
      </p>
    </>
  );
}

const CRAWLING = new Set(["queued", "crawling", "running", "pending"]);

function WebsiteStep({ sources, current }: { sources: Source[]; current: Source | undefined }) {
  const fetcher = useFetcher<typeof action>();
  const errors = useActionErrors(fetcher.data);
  const formRef = useRef<HTMLFormElement>(null);
  const added = (fetcher.data as { added?: boolean } | undefined)?.added;
  useEffect(() => {
    if (added) formRef.current?.reset();
  }, [added]);
  const crawling = current ? CRAWLING.has(current.status) : false;
  // While the crawl runs, its progress (the loader asks the knowledge progress API).
  useReloadWhile(crawling, 1500);
  const p = current?.progress;
  const done = p ? p.fetched + p.skipped + p.failed : 0;
  const total = p ? done + p.queued : 0;
  return (
    <>
      <h2 id="step-title">Your website</h2>
      <p className="muted">
        The assistant answers product questions from your website. Give the address of your home page or
        sitemap.
      </p>
      <fetcher.Form method="post" ref={formRef} noValidate>
        <input type="hidden" name="intent" value="add-website" />
        <FormError errors={errors} />
        <Field
          name="startUrl"
          label="Website address"
          type="url"
          placeholder="https://example.com"
          required
          errors={errors}
        />
        <Submit busy="Adding…">{sources.length ? "Add another website" : "Add website"}</Submit>
      </fetcher.Form>
      {current ? (
        <div className="crawl" aria-live="polite">
          <h3>{current.name}</h3>
          <label htmlFor="crawl-progress" data-crawl-state={crawling ? "crawling" : current.status}>
            {crawling
              ? "Reading your website…"
              : current.status === "failed"
                ? "Could not read your website"
                : "Done reading your website"}
          </label>
          <progress
            id="crawl-progress"
            max={Math.max(total, 1)}
            value={crawling ? done : p ? p.fetched : 0}
          />
          <p className="small muted">
            {current.pageCount} pages · {current.chunkCount} passages
            {p ? ` · ${p.fetched} read, ${p.queued} waiting, ${p.skipped} skipped, ${p.failed} failed` : ""}
          </p>
          {current.lastError ? (
            <p className="field-error" data-source-error={current.lastError}>
              {sourceErrorText(current.lastError)} Check the address, or skip this step and add it later.
            </p>
          ) : null}
          {!crawling && p ? (
            <CrawlProblems
              problems={p.problems}
              start={current.config?.startUrl}
              open={current.status === "failed"}
            />
          ) : null}
        </div>
      ) : (
        <p className="empty">No website added yet. You can also skip this and add one later.</p>
      )}
    </>
  );
}

type Template = { id: string; title: string; summary: string };

function PlaybooksStep({ templates, existing }: { templates: Template[]; existing: string[] }) {
  const fetcher = useFetcher<typeof action>();
  const errors = useActionErrors(fetcher.data);
  const added = new Set(existing);
  return (
    <>
      <h2 id="step-title">Playbooks</h2>
      <p className="muted">
        Pick the conversations the assistant should lead. Product questions are always answered from your
        website.
      </p>
      <fetcher.Form method="post" noValidate>
        <input type="hidden" name="intent" value="add-playbooks" />
        <FormError errors={errors} />
        <fieldset className="choices" aria-describedby="playbook-error">
          <legend className="visually-hidden">Playbooks</legend>
          <label className="choice">
            <input type="checkbox" checked disabled readOnly />
            <span>
              <strong>Product questions</strong>
              <span className="small muted">Answered from your knowledge base, with sources.</span>
            </span>
          </label>
          {templates.map((p) => (
            <label key={p.id} className="choice">
              <input type="checkbox" name="playbook" value={p.id} defaultChecked disabled={added.has(p.id)} />
              <span>
                <strong>
                  {p.title}
                  {added.has(p.id) ? " (added)" : ""}
                </strong>
                <span className="small muted">{p.summary}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <p id="playbook-error" className="field-error" data-field-error="playbook">
          {errors?.fields.playbook ?? ""}
        </p>
        <Submit busy="Adding…">Add selected playbooks</Submit>
      </fetcher.Form>
    </>
  );
}

function WidgetStep({ widgetKey, apiOrigin }: { widgetKey: string | undefined; apiOrigin: string }) {
  const [copied, setCopied] = useState("");
  const snippet = widgetKey
    ? `<script src="${apiOrigin}/widget.js" data-key="${widgetKey}" async></script>`
    : "";
  return (
    <>
      <h2 id="step-title">Put the chat on your site</h2>
      {widgetKey ? (
        <>
          <p>Paste this line before the closing &lt;/body&gt; tag of every page that should show the chat:</p>
          <div className="snippet">
            <code id="widget-snippet">{snippet}</code>
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(snippet).then(
                  () => setCopied("Copied to the clipboard."),
                  () => setCopied("Copy failed: select the text and copy it."),
                )
              }
            >
              Copy
            </button>
          </div>
          <p className="small" role="status">
            {copied}
          </p>
        </>
      ) : (
        <Form method="post">
          <input type="hidden" name="intent" value="create-widget" />
          <p>Create the chat widget for your site: you get one line of HTML to paste.</p>
          <Submit busy="Creating…">Create my chat widget</Submit>
        </Form>
      )}
    </>
  );
}

type Turn = TriedTurn;
type LoggedTurn = Turn & { n: number };

function TestStep() {
  const fetcher = useFetcher<typeof action>();
  const [log, setLog] = useState<LoggedTurn[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const data = fetcher.data as { tried?: Turn; errors?: FormErrors } | undefined;
  useEffect(() => {
    if (data?.tried) {
      const tried = data.tried;
      setLog((l) => [...l, { ...tried, n: l.length }]);
      formRef.current?.reset();
    }
  }, [data]);
  return (
    <>
      <h2 id="step-title">Test chat</h2>
      <p className="muted">Write as a customer would. You see which playbook answers and its first reply.</p>
      <ol className="chat-log" aria-live="polite" aria-label="Test conversation">
        {log.length === 0 ? (
          <li className="bot">Try “how much does it cost?” or “I'd like to book a demo”.</li>
        ) : null}
        {log.flatMap((t) => [
          <li key={`q${t.n}`} className="visitor">
            {t.message}
          </li>,
          <li key={`a${t.n}`} className="bot">
            {t.reply ?? "(no reply)"}
            <Sources sources={t.sources} />
            <span className="small muted" data-try-outcome={t.outcome}>
              {" "}
              — {outcomeLabel(t)}
            </span>
          </li>,
        ])}
      </ol>
      <fetcher.Form method="post" ref={formRef} noValidate className="inline-form">
        <input type="hidden" name="intent" value="try" />
        <label htmlFor="try-message">Message</label>
        <input id="try-message" name="message" autoComplete="off" required />
        <button type="submit" className="primary" disabled={fetcher.state !== "idle"}>
          Send
        </button>
      </fetcher.Form>
      <p className="field-error" data-field-error="text" role="alert">
        {data?.errors?.fields.text ?? data?.errors?.form ?? ""}
      </p>
    </>
  );
}
