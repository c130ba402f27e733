import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import {
  Form,
  Link,
  useFetcher,
  useNavigation,
  useRevalidator,
  useRouteLoaderData,
  useSearchParams,
} from "react-router";
import { api } from "../lib/api.server.js";
import {
  CONVERSATION_STATUSES,
  type ConversationRow,
  type ConversationStatus,
  type Member,
  type Message,
  memberName,
  STATUS_LABEL,
  type Transcript,
  withParams,
} from "../lib/crm.js";
import { errorMessage, loadFailed, loadMembers } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import { text } from "../lib/forms.js";
import { type SocketStatus, useLiveSocket } from "../lib/use-live-socket.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/inbox";
import type { loader as layoutLoader } from "./app-layout.js";

export const meta: Route.MetaFunction = () => [{ title: "Inbox · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

/**
 * How often the inbox re-reads everything while a live socket is down (only while the tab is visible).
 * While the sockets are up nothing polls: the list follows the tenant's live feed, the transcript its
 * conversation's socket.
 */
const FALLBACK_POLL_MS = 4000;
const PRESENCES = ["online", "away", "offline"] as const;
type Presence = (typeof PRESENCES)[number];

export async function loader({ request, context }: Route.LoaderArgs) {
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
  const { live, transcript } = useLiveInbox(selectedId, loaderData.transcript);
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

type LiveConversation = {
  id: string;
  messages: Map<string, Message>;
  status: ConversationStatus | null;
};

/**
 * The inbox kept live. The list: the tenant's live feed (GET /v1/live) sends a frame after every batch
 * of events (a conversation started, a message, a handoff…), written after the conversations' Postgres
 * copies, so each frame re-reads the list. The open transcript: its conversation's socket (GET
 * /v1/conversations/{id}/ws) sends the history, then every message and status change as they happen,
 * merged into the loader's copy. While either socket is down the page polls (FALLBACK_POLL_MS) instead.
 */
function useLiveInbox(selectedId: string | null, loaded: Transcript | null) {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy = revalidator.state !== "idle" || navigation.state !== "idle";

  // Re-read the loaders once per burst of feed frames, when nothing else is loading.
  const [nudges, setNudges] = useState(0);
  const handled = useRef(0);
  useEffect(() => {
    if (nudges === handled.current || busy) return;
    const timer = setTimeout(() => {
      handled.current = nudges;
      void revalidator.revalidate();
    }, 150);
    return () => clearTimeout(timer);
  }, [nudges, busy, revalidator]);

  // Every JSON frame is news, including the snapshot sent on each (re)connect: after a reconnect that
  // re-read catches up on what happened while the socket was down.
  const feed = useLiveSocket(
    "/api/v1/live",
    (data) => {
      if (data.startsWith("{")) setNudges((n) => n + 1);
    },
    "ping",
  );

  const [conversation, setConversation] = useState<LiveConversation | null>(null);
  const socket = useLiveSocket(
    selectedId ? `/api/v1/conversations/${selectedId}/ws` : null,
    (data) => {
      let frame: {
        type?: string;
        message?: Message;
        conversation?: { id: string; status: ConversationStatus };
      };
      try {
        frame = JSON.parse(data);
      } catch {
        return;
      }
      if (!selectedId) return;
      setConversation((prev) => {
        const next: LiveConversation =
          prev?.id === selectedId ? { ...prev } : { id: selectedId, messages: new Map(), status: null };
        if (frame.type === "message" && frame.message) {
          next.messages = new Map(next.messages).set(frame.message.id, frame.message);
        } else if (frame.type === "status" && frame.conversation?.id === selectedId) {
          next.status = frame.conversation.status;
        } else return prev;
        return next;
      });
    },
    JSON.stringify({ type: "ping" }),
  );

  const transcriptLive = !selectedId || socket === "live";
  const live: SocketStatus =
    feed === "live" && transcriptLive
      ? "live"
      : feed === "connecting" || (selectedId && socket === "connecting")
        ? "connecting"
        : "reconnecting";

  // The fallback: poll only while a socket is down (and the tab is visible and nothing else loads).
  const polling = live !== "live";
  const busyRef = useRef(busy);
  busyRef.current = busy;
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && !busyRef.current) void revalidator.revalidate();
    }, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [polling, revalidator]);

  let transcript = loaded;
  if (loaded && conversation?.id === loaded.conversation.id) {
    const byId = new Map(loaded.messages.map((m) => [m.id, m]));
    for (const [id, m] of conversation.messages) byId.set(id, m);
    transcript = {
      // The socket's status is the live one while it is connected; the loader's otherwise.
      conversation:
        socket === "live" && conversation.status
          ? { ...loaded.conversation, status: conversation.status }
          : loaded.conversation,
      messages: [...byId.values()].sort((a, b) => a.seq - b.seq),
    };
  }
  return { live, transcript };
}

function PresenceToggle({ current }: { current: Presence }) {
  const fetcher = useFetcher<typeof action>();
  const shown = (fetcher.formData?.get("status") as Presence | null) ?? current;
  return (
    <fetcher.Form method="post" className="presence" aria-label="Your presence">
      <input type="hidden" name="intent" value="presence" />
      <fieldset className="segmented">
        <legend className="presence-label">Your status</legend>
        {PRESENCES.map((p) => (
          <button
            key={p}
            type="submit"
            name="status"
            value={p}
            aria-pressed={shown === p}
            className={`dot-${p}`}
          >
            {p[0]?.toUpperCase() + p.slice(1)}
          </button>
        ))}
      </fieldset>
      {fetcher.data?.error ? (
        <span className="inline-error" role="alert">
          {fetcher.data.error}
        </span>
      ) : null}
    </fetcher.Form>
  );
}

function Filters({ members }: { members: Member[] }) {
  const [params] = useSearchParams();
  return (
    <Form method="get" className="filters" role="search" aria-label="Filter conversations">
      {/* Filtering keeps the open conversation open. */}
      {params.get("c") ? <input type="hidden" name="c" value={params.get("c") ?? ""} /> : null}
      <div>
        <label htmlFor="f-status">Status</label>
        <select id="f-status" name="status" defaultValue={params.get("status") ?? ""}>
          <option value="">All</option>
          {CONVERSATION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="f-assignee">Assignee</label>
        <select id="f-assignee" name="assignee" defaultValue={params.get("assignee") ?? ""}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Unassigned</option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="f-channel">Channel</label>
        <select id="f-channel" name="channel" defaultValue={params.get("channel") ?? ""}>
          <option value="">All</option>
          <option value="web">Web chat</option>
          <option value="email">Email</option>
          <option value="telegram">Telegram</option>
          <option value="whatsapp">WhatsApp</option>
        </select>
      </div>
      <div className="grow">
        <label htmlFor="f-q">Search messages</label>
        <input id="f-q" name="q" type="search" defaultValue={params.get("q") ?? ""} />
      </div>
      <button type="submit">Filter</button>
    </Form>
  );
}

function ConversationList(props: {
  conversations: ConversationRow[];
  error: string | null;
  members: Member[];
  selectedId: string | null;
}) {
  const { when } = useFormats();
  const [params] = useSearchParams();
  if (props.error)
    return (
      <p className="form-error" role="alert">
        {props.error}
      </p>
    );
  if (props.conversations.length === 0) return <p className="empty">No conversations match.</p>;
  // Arrow keys move between conversations, so the list is one stop in the Tab order's way.
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const links = [...event.currentTarget.querySelectorAll("a")];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = links[Math.max(0, Math.min(links.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };
  return (
    <ul className="conversation-list" onKeyDown={onKeyDown}>
      {props.conversations.map((c) => (
        <li key={c.id}>
          <Link
            to={withParams(params, { c: c.id })}
            aria-current={c.id === props.selectedId ? "true" : undefined}
            preventScrollReset
          >
            <span className="row-top">
              <strong className="customer">{c.contactName || c.contactEmail || "Visitor"}</strong>
              <span className="muted small">{when(c.lastMessageAt ?? c.createdAt)}</span>
            </span>
            <span className="row-top">
              <span className="last-message">{c.lastMessage ?? "No messages yet"}</span>
              {/* The open conversation is being read: its count is stale until the list reloads. */}
              {c.unread && c.id !== props.selectedId ? (
                <span className="unread" data-unread={c.unread}>
                  {c.unread}
                  <span className="visually-hidden"> unread</span>
                </span>
              ) : null}
            </span>
            <span className="muted small">
              <span className={`badge status-${c.status}`}>{STATUS_LABEL[c.status]}</span> {c.channel} ·{" "}
              <span data-assignee="">
                {c.assigneeId
                  ? memberName(props.members, c.assigneeId)
                  : c.leadOwnerId
                    ? `${memberName(props.members, c.leadOwnerId)} (lead owner)`
                    : "Unassigned"}
              </span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

const SENDER_LABEL = { visitor: "Visitor", bot: "Bot", system: "System", note: "Internal note" } as const;

function Conversation({
  transcript,
  members,
  canned,
}: {
  transcript: Transcript;
  members: Member[];
  canned: { id: string; shortcut: string; text: string }[];
}) {
  const { when } = useFormats();
  const { conversation, messages } = transcript;
  const status = conversation.status as ConversationStatus;
  const closed = status === "closed";
  const heading = useRef<HTMLHeadingElement>(null);
  const log = useRef<HTMLOListElement>(null);
  // Newest message in view when messages arrive.
  const count = messages.length;
  useEffect(() => {
    if (log.current && count >= 0) log.current.scrollTop = log.current.scrollHeight;
  }, [count]);

  return (
    <>
      <div className="transcript-head">
        <h2 id="transcript-title" ref={heading} tabIndex={-1}>
          Conversation · <span className={`badge status-${status}`}>{STATUS_LABEL[status]}</span>
        </h2>
        <p className="muted small">
          {conversation.channel} · {memberName(members, conversation.assigneeId)} · started{" "}
          {when(conversation.createdAt)}
          {conversation.csatScore ? ` · CSAT ${conversation.csatScore}/5` : ""}
        </p>
        <div className="actions tight">
          <ConversationAction
            id={conversation.id}
            intent="takeover"
            disabled={closed || status === "human"}
            focusAfter="reply-text"
          >
            Take over
          </ConversationAction>
          <ConversationAction
            id={conversation.id}
            intent="handback"
            disabled={closed || status === "bot"}
            focusAfter="transcript-title"
          >
            Hand back to bot
          </ConversationAction>
          <ConversationAction
            id={conversation.id}
            intent="close"
            disabled={closed}
            focusAfter="transcript-title"
          >
            Close and ask for rating
          </ConversationAction>
        </div>
      </div>
      <ol className="transcript" ref={log} aria-label="Messages" aria-live="polite">
        {messages.length === 0 ? <li className="muted">No messages yet.</li> : null}
        {messages.map((m) => (
          <li key={m.id} className={`msg msg-${m.sender}`}>
            <span className="msg-meta">
              {m.sender === "agent" ? memberName(members, m.authorId) : SENDER_LABEL[m.sender]} ·{" "}
              {when(m.createdAt)}
            </span>
            <span className="msg-text">{m.text}</span>
          </li>
        ))}
      </ol>
      {closed ? (
        <p className="muted small">Closed. Replies are off; the visitor was asked for a rating.</p>
      ) : (
        <Composer id={conversation.id} canned={canned} />
      )}
    </>
  );
}

/**
 * One conversation action. On success focus moves on (`focusAfter`: the reply box after taking over,
 * the transcript heading otherwise), since the pressed button may now be disabled and would drop focus.
 */
function ConversationAction(props: {
  id: string;
  intent: string;
  disabled: boolean;
  focusAfter: string;
  children: string;
}) {
  const fetcher = useFetcher<typeof action>();
  const busy = fetcher.state !== "idle";
  const { focusAfter } = props;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && !fetcher.data.error)
      document.getElementById(focusAfter)?.focus();
  }, [fetcher.state, fetcher.data, focusAfter]);
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="conversation" value={props.id} />
      <button
        type="submit"
        name="intent"
        value={props.intent}
        disabled={props.disabled}
        aria-busy={busy || undefined}
      >
        {props.children}
      </button>
      {fetcher.data?.error ? (
        <span className="inline-error" role="alert">
          {fetcher.data.error}
        </span>
      ) : null}
    </fetcher.Form>
  );
}

function Composer({ id, canned }: { id: string; canned: { id: string; shortcut: string; text: string }[] }) {
  const fetcher = useFetcher<typeof action>();
  const cannedFetcher = useFetcher<typeof action>();
  const form = useRef<HTMLFormElement>(null);
  const busy = fetcher.state !== "idle";
  // A sent reply or note clears the box; a refused one keeps the text to fix.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && !fetcher.data.error) {
      form.current?.reset();
      document.getElementById("reply-text")?.focus();
    }
  }, [fetcher.state, fetcher.data]);
  return (
    <div className="composer">
      <fetcher.Form method="post" ref={form}>
        <input type="hidden" name="conversation" value={id} />
        <label htmlFor="reply-text">Reply</label>
        <textarea
          id="reply-text"
          name="text"
          rows={3}
          required
          aria-describedby="reply-hint"
          onKeyDown={(event) => {
            // Ctrl/Cmd+Enter sends, like most chat tools.
            if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              const data = new FormData(event.currentTarget.form ?? undefined);
              data.set("intent", "reply");
              fetcher.submit(data, { method: "post" });
            }
          }}
        />
        <p id="reply-hint" className="hint">
          Replying takes the conversation over. Ctrl+Enter sends. Notes stay internal.
        </p>
        <div className="actions tight">
          <button type="submit" name="intent" value="reply" className="primary" aria-busy={busy || undefined}>
            Send reply
          </button>
          <button type="submit" name="intent" value="note" aria-busy={busy || undefined}>
            Add internal note
          </button>
          <span className="inline-error" role="alert">
            {fetcher.data?.error ?? ""}
          </span>
        </div>
      </fetcher.Form>
      {canned.length ? (
        <cannedFetcher.Form method="post" className="canned">
          <input type="hidden" name="conversation" value={id} />
          <input type="hidden" name="intent" value="canned" />
          <label htmlFor="canned-reply">Canned reply</label>
          <div className="row">
            <select id="canned-reply" name="cannedReplyId">
              {canned.map((c) => (
                <option key={c.id} value={c.id}>
                  /{c.shortcut} — {c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text}
                </option>
              ))}
            </select>
            <button type="submit" disabled={cannedFetcher.state !== "idle"}>
              Send canned reply
            </button>
          </div>
          <span className="inline-error" role="alert">
            {cannedFetcher.data?.error ?? ""}
          </span>
        </cannedFetcher.Form>
      ) : (
        <p className="muted small">No canned replies yet.</p>
      )}
    </div>
  );
}
