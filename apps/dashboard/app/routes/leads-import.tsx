import { Form, Link, redirect } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { RowErrors } from "../components/row-errors.js";
import { api } from "../lib/api.server.js";
import { errorMessage } from "../lib/crm.server.js";
import { type FormErrors, formErrors } from "../lib/forms.js";
import { useReloadWhile } from "../lib/use-reload-while.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/leads-import";

// Importing leads from a CSV file: the API checks the file and accepts it at once, then imports it in
// the background; this screen follows the import (?id=…) until it ends, then lists the rows it skipped.

export const meta: Route.MetaFunction = () => [{ title: "Import leads · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

const COLUMNS =
  "name, email, phone, company, domain, title, territory, language, product, budget, authority, need, timeline";

export async function loader({ request, context }: Route.LoaderArgs) {
  const id = new URL(request.url).searchParams.get("id");
  if (!id) return { report: null, error: null };
  const { data, error } = await api(request, context).GET("/v1/leads/imports/{id}", {
    params: { path: { id } },
  });
  return {
    report: data ?? null,
    error: data ? null : errorMessage(error, "This import could not be found."),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0)
    return { errors: { fields: { file: "Choose a CSV file to import." } } as FormErrors };
  // The API reads the CSV as the raw body; what it says about "body" is about this file.
  const { data, error } = await api(request, context).POST("/v1/leads/import", {
    body: (await file.text()) as never,
    bodySerializer: (body: unknown) => body as string,
    headers: { "content-type": "text/csv" },
  });
  if (error) {
    const errors = formErrors(error, ["body"]);
    return { errors: { fields: errors.fields.body ? { file: errors.fields.body } : {}, form: errors.form } };
  }
  return redirect(`/leads/import?id=${data.importId}`);
}

export default function LeadsImport({ loaderData, actionData }: Route.ComponentProps) {
  const { report, error } = loaderData;
  const running = report?.status === "running";
  useReloadWhile(running, 1000);
  return (
    <>
      <div className="page-head">
        <h1>Import leads</h1>
        <Link to="/leads">Back to leads</Link>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <section className="card" aria-labelledby="progress-title">
          <h2 id="progress-title">
            {running ? "Importing…" : report.status === "done" ? "Import finished" : "Import stopped"}
          </h2>
          <label htmlFor="import-progress">
            {report.rows} of {report.totalRows} rows handled
          </label>
          <progress id="import-progress" max={report.totalRows} value={report.rows}>
            {report.rows} of {report.totalRows}
          </progress>
          <p role="status" data-import-status={report.status}>
            {report.imported} imported, {report.failed} skipped
            {running ? ". You can leave this page; the import goes on." : "."}
          </p>
          {report.errors.length ? (
            <div className="table-wrap">
              <RowErrors
                errors={report.errors}
                caption={`Skipped rows${report.failed > report.errors.length ? " (the first 1,000)" : ""}`}
                rowLabel="Line"
                className="data-table"
              />
            </div>
          ) : null}
          {running ? null : (
            <p>
              <Link to="/leads">See the leads</Link> · <Link to="/leads/import">Import another file</Link>
            </p>
          )}
        </section>
      ) : (
        <section className="card" aria-labelledby="upload-title">
          <h2 id="upload-title">Upload a CSV file</h2>
          <Form method="post" encType="multipart/form-data" noValidate>
            <FormError errors={actionData?.errors} />
            <Field
              name="file"
              label="CSV file"
              type="file"
              accept=".csv,text/csv"
              hint={`A header row, then one lead per row (up to 50,000 rows). Columns with a meaning: ${COLUMNS}; an email or a phone is required. Other columns become the lead's attributes.`}
              errors={actionData?.errors}
            />
            <Submit busy="Uploading…">Import</Submit>
          </Form>
        </section>
      )}
    </>
  );
}
