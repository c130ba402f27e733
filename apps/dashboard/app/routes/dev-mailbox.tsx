import { Form, useNavigation } from "react-router";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import type { Route } from "./+types/dev-mailbox";

export const meta: Route.MetaFunction = () => [{ title: "Mail outbox · AutopilotCRM" }];

// The local mail outbox: the mail this workspace "sent" (verification, invites, notifications), so a new
// user can click their link with no mail server; admins see all of it, other members their own.
// edge-api answers 404 outside local development.
export async function loader({ request, context }: Route.LoaderArgs) {
  const to = new URL(request.url).searchParams.get("to")?.trim() ?? "";
  const { data, response } = await api(request, context).GET("/v1/dev/mailbox", {
    params: { query: { limit: 50, ...(to ? { to } : {}) } },
  });
  return {
    to,
    mail: data?.mail ?? [],
    available: response.status !== 404,
    failed: !data && response.status !== 404,
  };
}

export default function DevMailbox({ loaderData }: Route.ComponentProps) {
  const { when } = useFormats();
  const { mail, to, available, failed } = loaderData;
  const searching = useNavigation().state === "loading";
  return (
    <>
      <h1>Mail outbox</h1>
      <p className="muted">
        Local development only: the mail this workspace would have sent, newest first. Open a link to act on
        it.
      </p>
      {!available ? (
        <p className="notice">The mail outbox exists only in local development.</p>
      ) : (
        <>
          <Form method="get" className="inline-form" role="search">
            <label htmlFor="mail-to">Recipient</label>
            <input id="mail-to" name="to" type="search" defaultValue={to} placeholder="ada@example.com" />
            <button type="submit" aria-busy={searching || undefined}>
              Filter
            </button>
          </Form>
          {failed ? (
            <p className="form-error" role="alert">
              The mail outbox could not be loaded. Reload to retry.
            </p>
          ) : null}
          {mail.length === 0 && !failed ? (
            <p className="empty">No mail{to ? ` to ${to}` : ""} yet.</p>
          ) : (
            <ol className="mail-list">
              {mail.map((m) => (
                <li key={m.id} className="card">
                  <h2>{m.subject}</h2>
                  <p className="muted small">
                    To {m.to} · <time dateTime={m.createdAt}>{when(m.createdAt)}</time>
                  </p>
                  <p className="mail-text">{linkify(m.text)}</p>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}

/** The mail's text with its URLs as links (the text is rendered as text: nothing in it is HTML). */
function linkify(text: string) {
  return text.split(/(https?:\/\/[^\s]+)/g).map((part, i) =>
    /^https?:\/\//.test(part) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one immutable string
      <a key={i} href={part}>
        {part}
      </a>
    ) : (
      part
    ),
  );
}
