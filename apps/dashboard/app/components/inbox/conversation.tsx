import { useEffect, useRef } from "react";
import { useFetcher } from "react-router";
import {
  type ConversationStatus,
  type Member,
  memberName,
  STATUS_LABEL,
  type Transcript,
} from "../../lib/crm.js";
import { useFormats } from "../../lib/format.js";
import type { action } from "../../routes/inbox.js";
import { InlineError } from "../form.js";
import { ChannelName, DeliveryNote } from "./channel.js";

// The open conversation: its transcript, what an agent can do with it (take over, hand back, close)
// and the reply box with canned replies.

const SENDER_LABEL = { visitor: "Visitor", bot: "Bot", system: "System", note: "Internal note" } as const;

export function Conversation({
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
          <ChannelName channel={conversation.channel} /> · {memberName(members, conversation.assigneeId)} ·
          started {when(conversation.createdAt)}
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
            <DeliveryNote channel={conversation.channel} data={m.data} />
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
export function ConversationAction(props: {
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
      <InlineError error={fetcher.data?.error} />
    </fetcher.Form>
  );
}

export function Composer({
  id,
  canned,
}: {
  id: string;
  canned: { id: string; shortcut: string; text: string }[];
}) {
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
          <InlineError error={fetcher.data?.error} />
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
          <InlineError error={cannedFetcher.data?.error} />
        </cannedFetcher.Form>
      ) : (
        <p className="muted small">No canned replies yet.</p>
      )}
    </div>
  );
}
