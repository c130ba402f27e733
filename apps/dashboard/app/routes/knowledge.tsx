import { Form, useSearchParams } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { isReport, RowReport, SourceCard } from "../components/knowledge-source.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { CRAWLING } from "../lib/crawl.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { useReloadWhile } from "../lib/use-reload-while.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/knowledge";

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: Route.MetaFunction = () => [{ title: "Knowledge · AutopilotCRM" }];

type Source = components["schemas"]["KnowledgeSource"];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const q = new URL(request.url).searchParams.get("q")?.trim() ?? "";
  const [sources, unanswered, search] = await Promise.all([
    client.GET("/v1/knowledge/sources"),
    client.GET("/v1/knowledge/unanswered", { params: { query: { sort: "count", limit: 20 } } }),
    q ? client.GET("/v1/knowledge/search", { params: { query: { q, limit: 8 } } }) : null,
  ]);
  if (!sources.data)
    throw new Response("Could not load the knowledge sources", { status: sources.response.status });
  // The list has no progress; a crawling or failed source's detail has it (with each page's reason).
  const list: Source[] = await Promise.all(
    sources.data.sources.map(async (s) =>
      CRAWLING.has(s.status) || s.status === "failed"
        ? ((await client.GET("/v1/knowledge/sources/{id}", { params: { path: { id: s.id } } })).data ?? s)
        : s,
    ),
  );
  return {
    sources: list,
    unanswered: unanswered.data?.questions ?? null,
    q,
    chunks: search?.data?.chunks ?? null,
    searchError: search?.error ? formErrors(search.error, ["q"]).fields.q : undefined,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  const id = text(form, "id");
  if (intent === "refresh") {
    const { error } = await client.POST("/v1/knowledge/sources/{id}/refresh", { params: { path: { id } } });
    return error ? { intent, id, errors: formErrors(error, []) } : { intent, id };
  }
  if (intent === "delete") {
    const { error } = await client.DELETE("/v1/knowledge/sources/{id}", { params: { path: { id } } });
    return error ? { intent, id, errors: formErrors(error, []) } : { intent, id };
  }
  if (intent === "document") {
    // Passed on as multipart/form-data (the API reads the `file` part and the `name` field itself).
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0)
      return { intent, errors: { fields: { file: "Choose a file to upload." } } as FormErrors };
    const upload = new FormData();
    upload.set("file", file, file.name);
    if (text(form, "name").trim()) upload.set("name", text(form, "name").trim());
    const { error } = await client.POST("/v1/knowledge/documents", {
      body: upload as never,
      bodySerializer: (body: unknown) => body as FormData,
    });
    return error ? { intent, errors: formErrors(error, ["file", "name"]) } : { intent, added: true };
  }
  if (intent === "catalogue") {
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0)
      return { intent, errors: { fields: { file: "Choose a CSV or JSON file to upload." } } as FormErrors };
    const upload = new FormData();
    upload.set("file", file, file.name);
    if (text(form, "name").trim()) upload.set("name", text(form, "name").trim());
    const { data, error } = await client.POST("/v1/knowledge/catalogues", {
      body: upload as never,
      bodySerializer: (body: unknown) => body as FormData,
    });
    // Rows that are not products are reported either way: beside the indexed ones (201), or as the
    // details of a 422 when no row was a product (nothing stored then).
    if (error) {
      const details: unknown = error.error.details;
      return {
        intent,
        errors: formErrors(error, ["file", "name"]),
        report: isReport(details) ? details : undefined,
      };
    }
    return { intent, added: true, report: data.report };
  }
  if (intent === "website") {
    const maxPages = Number(text(form, "maxPages") || "200");
    const { error } = await client.POST("/v1/knowledge/sources", {
      body: {
        kind: "website",
        startUrl: text(form, "startUrl").trim(),
        maxPages,
        maxDepth: 5,
        include: [],
        exclude: [],
      },
    });
    return error ? { intent, errors: formErrors(error, ["startUrl", "maxPages"]) } : { intent, added: true };
  }
  if (intent === "faq") {
    // One pair per line: "question | answer".
    const pairs = text(form, "pairs")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => {
        const [question = "", ...rest] = l.split("|");
        return { question: question.trim(), answer: rest.join("|").trim() };
      });
    const { error } = await client.POST("/v1/knowledge/sources", {
      body: { kind: "faq", name: text(form, "name"), pairs },
    });
    // pairs.3.answer → the textarea.
    const errors = formErrors(error, ["name", "pairs"]);
    if (error) {
      const issue = (
        error.error.details as { issues?: { field?: string; message?: string }[] } | undefined
      )?.issues?.find((i) => i.field?.startsWith("pairs"));
      if (issue) {
        const line = Number(issue.field?.split(".")[1] ?? "0") + 1;
        errors.fields.pairs = `Line ${line}: ${issue.field?.endsWith("answer") ? "write “question | answer”" : (issue.message ?? "")}`;
        if (errors.form?.startsWith("pairs")) errors.form = undefined;
      }
      return { intent, errors };
    }
    return { intent, added: true };
  }
  throw new Response("Unknown action", { status: 400 });
}

const KIND_LABEL: Record<string, string> = {
  website: "Website",
  document: "Document",
  faq: "FAQ",
  catalogue: "Product catalogue",
};

/** "Document · Shipping policy": what kind of source a search result comes from, and which. */
function sourceLabel(source: { kind: string; name: string } | undefined): string {
  if (!source) return "Source";
  return `${KIND_LABEL[source.kind] ?? source.kind} · ${source.name}`;
}

export default function Knowledge({ loaderData, actionData }: Route.ComponentProps) {
  const { when } = useFormats();
  const { sources, unanswered, q, chunks, searchError } = loaderData;
  const crawling = sources.some((s) => CRAWLING.has(s.status));
  useReloadWhile(crawling, 2000);
  const errorsFor = (intent: string): FormErrors | undefined =>
    actionData && "errors" in actionData && actionData.intent === intent ? actionData.errors : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <h1>Knowledge</h1>
      <p className="muted">
        What the assistant answers from: your website, documents and FAQs, searched and cited.
      </p>

      <section aria-labelledby="sources-title">
        <h2 id="sources-title">Sources</h2>
        {sources.length === 0 ? (
          <p className="empty">No sources yet. Add your website below.</p>
        ) : (
          <ul className="source-list">
            {sources.map((s) => (
              <SourceCard
                key={s.id}
                source={s}
                error={
                  actionData && "id" in actionData && actionData.id === s.id && "errors" in actionData
                    ? actionData.errors?.form
                    : undefined
                }
              />
            ))}
          </ul>
        )}
      </section>

      <div className="report-grid">
        <section className="card" aria-labelledby="add-site-title">
          <h2 id="add-site-title">Add a website</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="website" />
            <FormError errors={errorsFor("website")} />
            <Field
              name="startUrl"
              label="Start page or sitemap URL"
              type="url"
              placeholder="https://www.example.com"
              errors={errorsFor("website")}
            />
            <Field
              name="maxPages"
              label="Page limit"
              type="number"
              min={1}
              max={5000}
              defaultValue="200"
              errors={errorsFor("website")}
            />
            <Submit busy="Adding…">Add website</Submit>
          </Form>
        </section>
        <section className="card" aria-labelledby="add-doc-title">
          <h2 id="add-doc-title">Add a document</h2>
          <Form method="post" encType="multipart/form-data" noValidate>
            <input type="hidden" name="intent" value="document" />
            <FormError errors={errorsFor("document")} />
            <Field
              name="file"
              label="File (Markdown, HTML, text or PDF)"
              type="file"
              accept=".md,.markdown,.html,.htm,.txt,.pdf,text/markdown,text/html,text/plain,application/pdf"
              errors={errorsFor("document")}
            />
            <Field name="name" id="doc-name" label="Name (optional)" errors={undefined} />
            <Submit busy="Uploading…">Upload</Submit>
          </Form>
        </section>
        <section className="card" aria-labelledby="add-catalogue-title">
          <h2 id="add-catalogue-title">Add a product catalogue</h2>
          <Form method="post" encType="multipart/form-data" noValidate>
            <input type="hidden" name="intent" value="catalogue" />
            <FormError errors={errorsFor("catalogue")} />
            <Field
              name="file"
              id="catalogue-file"
              label="File (CSV with a header row, or JSON)"
              type="file"
              accept=".csv,.json,text/csv,application/json"
              hint="One product per row: a name column, price and currency; other columns become its attributes."
              errors={errorsFor("catalogue")}
            />
            <Field name="name" id="catalogue-name" label="Name (optional)" errors={undefined} />
            <Submit busy="Importing…">Import catalogue</Submit>
          </Form>
          {actionData && "report" in actionData && actionData.report ? (
            <RowReport report={actionData.report} />
          ) : null}
        </section>
        <section className="card" aria-labelledby="add-faq-title">
          <h2 id="add-faq-title">Add FAQ</h2>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="faq" />
            <FormError errors={errorsFor("faq")} />
            <Field name="name" label="Name" placeholder="Shipping FAQ" errors={errorsFor("faq")} />
            <div className="field">
              <label htmlFor="faq-pairs">Questions and answers (one per line: question | answer)</label>
              <textarea
                id="faq-pairs"
                name="pairs"
                rows={4}
                placeholder="Do you ship abroad? | Yes, worldwide within five working days."
                aria-invalid={errorsFor("faq")?.fields.pairs ? true : undefined}
                aria-describedby="faq-pairs-error"
              />
              <p id="faq-pairs-error" className="field-error" data-field-error="pairs">
                {errorsFor("faq")?.fields.pairs ?? ""}
              </p>
            </div>
            <Submit busy="Adding…">Add FAQ</Submit>
          </Form>
        </section>
      </div>

      <section className="card" aria-labelledby="search-title">
        <h2 id="search-title">Search test</h2>
        <p className="muted small">
          What the assistant would read for a question: the best chunks, their scores and pages.
        </p>
        <Form method="get" className="inline-form">
          <label htmlFor="q">Question</label>
          <input id="q" name="q" defaultValue={params.get("q") ?? ""} placeholder="How much is shipping?" />
          <button type="submit" className="primary">
            Search
          </button>
        </Form>
        <p className="field-error" role="alert" data-field-error="q">
          {searchError ?? ""}
        </p>
        {chunks === null ? null : chunks.length === 0 ? (
          <p className="empty">Nothing found for “{q}”.</p>
        ) : (
          <ol className="chunk-list">
            {chunks.map((c) => (
              <li key={c.id}>
                <div className="chunk-head">
                  <strong>{c.headingPath.join(" › ") || "(no heading)"}</strong>
                  <span className="score" title="ts_rank_cd">
                    score {c.score.toFixed(3)}
                  </span>
                </div>
                <span className="small muted" data-chunk-source="">
                  {sourceLabel(sources.find((x) => x.id === c.sourceId))}
                </span>{" "}
                {c.url ? (
                  <a href={c.url} target="_blank" rel="noreferrer" className="small chunk-url">
                    {c.url}
                  </a>
                ) : null}
                <p className="chunk-text">{c.text.length > 400 ? `${c.text.slice(0, 400)}…` : c.text}</p>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="card" aria-labelledby="unanswered-title">
        <h2 id="unanswered-title">Unanswered questions</h2>
        {unanswered === null ? (
          <p className="muted">Not available.</p>
        ) : unanswered.length === 0 ? (
          <p className="empty">
            No unanswered questions. Questions the assistant could not answer show up here.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Question</th>
                  <th scope="col" className="num">
                    Asked
                  </th>
                  <th scope="col" className="hide-narrow">
                    Last asked
                  </th>
                </tr>
              </thead>
              <tbody>
                {unanswered.map((u) => (
                  <tr key={`${u.question}-${u.lastAskedAt}`}>
                    <td>{u.question}</td>
                    <td className="num">{u.count}</td>
                    <td className="hide-narrow small">{when(u.lastAskedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
