import { useEffect, useRef, useState } from "react";
import { Form, useFetcher, useRouteLoaderData } from "react-router";
import { CRAWLING, type CrawlProblem, sourceErrorText } from "../lib/crawl.js";
import type { FormErrors } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { outcomeLabel, type TriedTurn } from "../lib/try-outcome.js";
import { useReloadWhile } from "../lib/use-reload-while.js";
import type { loader as layoutLoader } from "../routes/app-layout.js";
import type { action } from "../routes/onboarding.js";
import { CrawlProblems } from "./crawl-problems.js";
import { Field, FormError, Submit } from "./form.js";
import { Sources } from "./try-console.js";

// The onboarding wizard's steps: name the company, read its website, pick playbooks, install the
// widget, try the assistant. Each posts to the onboarding route's action.

export type OnboardingSource = {
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
type Source = OnboardingSource;

function useActionErrors(data: unknown): FormErrors | undefined {
  return (data as { errors?: FormErrors } | undefined)?.errors;
}

export function CompanyStep({ data }: { data: unknown }) {
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

export function WebsiteStep({ sources, current }: { sources: Source[]; current: Source | undefined }) {
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

export function PlaybooksStep({ templates, existing }: { templates: Template[]; existing: string[] }) {
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

export function WidgetStep({ widgetKey, apiOrigin }: { widgetKey: string | undefined; apiOrigin: string }) {
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

export function TestStep() {
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
