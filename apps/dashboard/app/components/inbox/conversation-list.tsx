import type { KeyboardEvent } from "react";
import { Form, Link, useFetcher, useSearchParams } from "react-router";
import {
  CONVERSATION_STATUSES,
  type ConversationRow,
  type Member,
  memberName,
  STATUS_LABEL,
  withParams,
} from "../../lib/crm.js";
import { useFormats } from "../../lib/format.js";
import type { action } from "../../routes/inbox.js";
import { FilterInput, FilterSelect } from "../filters.js";
import { InlineError } from "../form.js";
import { CHANNEL_OPTIONS, ChannelName } from "./channel.js";

// The inbox's left side: the agent's presence, the filters and the conversation list (arrow keys move
// between conversations).

export const PRESENCES = ["online", "away", "offline"] as const;
export type Presence = (typeof PRESENCES)[number];

export function PresenceToggle({ current }: { current: Presence }) {
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
      <InlineError error={fetcher.data?.error} />
    </fetcher.Form>
  );
}

export function Filters({ members }: { members: Member[] }) {
  const [params] = useSearchParams();
  return (
    <Form method="get" className="filters" role="search" aria-label="Filter conversations">
      {/* Filtering keeps the open conversation open. */}
      {params.get("c") ? <input type="hidden" name="c" value={params.get("c") ?? ""} /> : null}
      <FilterSelect
        id="f-status"
        name="status"
        label="Status"
        options={[
          { value: "", label: "All" },
          ...CONVERSATION_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })),
        ]}
      />
      <FilterSelect
        id="f-assignee"
        name="assignee"
        label="Assignee"
        options={[
          { value: "", label: "Anyone" },
          { value: "me", label: "Me" },
          { value: "none", label: "Unassigned" },
          ...members.map((m) => ({ value: m.userId, label: m.name })),
        ]}
      />
      <FilterSelect
        id="f-channel"
        name="channel"
        label="Channel"
        options={[{ value: "", label: "All" }, ...CHANNEL_OPTIONS]}
      />
      <FilterInput id="f-q" name="q" type="search" label="Search messages" className="grow" />
      <button type="submit">Filter</button>
    </Form>
  );
}

export function ConversationList(props: {
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
              <span className={`badge status-${c.status}`}>{STATUS_LABEL[c.status]}</span>{" "}
              <ChannelName channel={c.channel} /> ·{" "}
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
