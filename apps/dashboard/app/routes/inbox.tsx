import { useEffect, useRef } from "react";
import { Link, useRouteLoaderData, useSearchParams } from "react-router";
import { Conversation } from "../components/inbox/conversation.js";
import {
  ConversationList,
  Filters,
  type Presence,
  PresenceToggle,
} from "../components/inbox/conversation-list.js";
import { useLiveInbox } from "../components/inbox/use-live-inbox.js";
import { api } from "../lib/api.server.js";
import { type ConversationRow, memberName, type Transcript } from "../lib/crm.js";
import { errorMessage, loadFailed, loadMembers } from "../lib/crm.server.js";
import { text } from "../lib/forms.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/inbox";
import type { loader as layoutLoader } from "./app-layout.js";

export const meta: Route.MetaFunction = () => [{ title: "Inbox · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

export async function loader({ request, context }: Route.LoaderArgs) {
  // Before the reads: the live feed's first frame says whether anything changed after them.
  const loadedAt = Date.now();
  const params = new URL(request.url).searchParams;
  const client = api(request, context);
  const status = params.get("status") || undefined;
  const [list, members, canned, presence] = await Promise.all([
    client.GET("/v1/conversations", {
      params: {
        query: {
          status: status as never,
          assignee: params.get("assignee") || undefined,
          channel: params.get("channel") || undefined,
          q: params.get("q") || undefined,
          limit: 100,
        },
      },
    }),
    loadMembers(client),
    client.GET("/v1/canned-replies"),
    client.GET("/v1/inbox/presence"),
  ]);
  const conversations = (list.data?.conversations ?? []) as ConversationRow[];
  // A bad filter in the URL is the list's error state, not a broken page.
  const listError = list.data ? null : errorMessage(list.error, "The conversations could not be loaded.");

  const selectedId = params.get("c");
  let transcript: Transcript | null = null;
  let contact = null;
  let leads: { id: string; title: string; score: number; status: string; ownerId: string | null }[] = [];
  if (selectedId) {
    const history = await client.GET("/v1/conversations/{id}", {
      params: { path: { id: selectedId }, query: { after: 0 } },
    });
    if (!history.data) loadFailed("Conversation", history.response);
    transcript = history.data;
    const contactId = conversations.find((c) => c.id === selectedId)?.contactId;
    if (contactId) {
      const [c, l] = await Promise.all([
        client.GET("/v1/contacts/{id}", { params: { path: { id: contactId } } }),
        client.GET("/v1/leads", { params: { query: { contactId, limit: 5 } } }),
      ]);
      contact = c.data ?? null;
      leads = l.data?.leads ?? [];
    }
  }
  return {
    loadedAt,
    conversations,
    listError,
    members,
    canned: (canned.data?.cannedReplies ?? []) as { id: string; shortcut: string; text: string }[],
    presence: (presence.data?.agents ?? []) as { userId: string; status: Presence }[],
    transcript,
    contact,
    leads,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const client = api(request, context);
  const id = text(form, "conversation");
  const path = { params: { path: { id } } };
  let result: { error?: unknown };
  switch (intent) {
    case "presence":
      result = await client.PUT("/v1/inbox/presence", { body: { status: text(form, "status") as Presence } });
      break;
    case "takeover":
      result = await client.POST("/v1/conversations/{id}/takeover", path);
      break;
    case "handback":
      result = await client.POST("/v1/conversations/{id}/handback", path);
      break;
    case "close":
      result = await client.POST("/v1/conversations/{id}/close", path);
      break;
    case "reply":
      result = await client.POST("/v1/conversations/{id}/reply", {
        ...path,
        body: { text: text(form, "text") },
      });
      break;
    case "note":
      result = await client.POST("/v1/conversations/{id}/notes", {
        ...path,
        body: { text: text(form, "text") },
      });
      break;
    case "canned":
      result = await client.POST("/v1/conversations/{id}/reply", {
        ...path,
        body: { cannedReplyId: text(form, "cannedReplyId") },
      });
      break;
    default:
      return { intent, error: "Unknown action." };
  }
  if (result.error) return { intent, error: errorMessage(result.error) };
  return { intent, error: null };
}

export default function Inbox({ loaderData }: Route.ComponentProps) {
  const { conversations, listError, members, contact, leads, canned, presence } = loaderData;
  const [params] = useSearchParams();
  const selectedId = params.get("c");
  const me = useRouteLoaderData<typeof layoutLoader>("routes/app-layout")?.me;
  // No presence row means online (the assignment rules read it the same way).
  const myPresence = presence.find((p) => p.userId === me?.user?.id)?.status ?? "online";
  const { live, transcript } = useLiveInbox(selectedId, loaderData.transcript, loaderData.loadedAt);
  // Opening a conversation moves focus to its transcript (keyboard users land there, not back in the
  // list); a conversation already open when the page loads leaves focus alone.
  const opened = useRef(selectedId);
  useEffect(() => {
    if (!selectedId || selectedId === opened.current) return;
    opened.current = selectedId;
    document.getElementById("transcript-title")?.focus();
  }, [selectedId]);

  return (
    <div className="inbox-page">
      <div className="page-head">
        <h1>Inbox</h1>
        <span className={`live-status ${live}`} role="status" data-inbox-live={live}>
          {live === "live"
            ? "● live"
            : live === "connecting"
              ? "connecting…"
              : "reconnecting… (refreshing every 4 s)"}
        </span>
        <PresenceToggle current={myPresence} />
      </div>
      <Filters members={members} />
      <div className="inbox" data-selected={selectedId ? "" : undefined}>
        <section className="inbox-list" aria-labelledby="inbox-list-title">
          <h2 id="inbox-list-title" className="visually-hidden">
            Conversations
          </h2>
          <ConversationList
            conversations={conversations}
            error={listError}
            members={members}
            selectedId={selectedId}
          />
        </section>
        <section className="inbox-transcript" aria-labelledby="transcript-title">
          {transcript ? (
            <Conversation transcript={transcript} members={members} canned={canned} />
          ) : (
            <>
              <h2 id="transcript-title" className="visually-hidden">
                Transcript
              </h2>
              <p className="empty">Pick a conversation to read it.</p>
            </>
          )}
        </section>
        <aside className="inbox-contact" aria-labelledby="contact-title">
          <h2 id="contact-title">Contact</h2>
          {contact ? (
            <>
              <p className="contact-name">
                <Link to={`/contacts/${contact.id}`}>
                  {contact.name || contact.email || "Unnamed contact"}
                </Link>
              </p>
              <dl className="facts">
                <dt>Email</dt>
                <dd>{contact.email ?? "—"}</dd>
                <dt>Phone</dt>
                <dd>{contact.phone ?? "—"}</dd>
                <dt>Tags</dt>
                <dd>{contact.tags.length ? contact.tags.join(", ") : "—"}</dd>
              </dl>
              <h3>Leads</h3>
              {leads.length ? (
                <ul className="plain">
                  {leads.map((l) => (
                    <li key={l.id}>
                      <Link to={`/leads/${l.id}`}>{l.title || "Lead"}</Link> · score {l.score} · {l.status} ·{" "}
                      {memberName(members, l.ownerId)}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted small">No leads.</p>
              )}
            </>
          ) : (
            <p className="muted small">
              {transcript ? "The visitor has not left their details yet." : "Pick a conversation."}
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
