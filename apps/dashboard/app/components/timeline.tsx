import { Link } from "react-router";
import { ACTIVITY_LABEL, type Member, memberName, STATUS_LABEL } from "../lib/crm.js";
import { useFormats } from "../lib/format.js";

type Activity = {
  id: string;
  kind: keyof typeof ACTIVITY_LABEL;
  subject: string;
  body: string;
  ownerId: string | null;
  occurredAt: string;
  dueAt: string | null;
  completedAt: string | null;
};
type Conversation = {
  id: string;
  status: keyof typeof STATUS_LABEL;
  lastMessage: string | null;
  createdAt: string;
};
type Lead = {
  id: string;
  title: string;
  score: number;
  status: string;
  ownerId: string | null;
  createdAt: string;
};

/** Activities, conversations and leads of a contact (or a company's contacts), newest first. */
export function Timeline(props: {
  activities: Activity[];
  conversations?: Conversation[];
  leads?: Lead[];
  members: Member[];
}) {
  const { when } = useFormats();
  const items = [
    ...props.activities.map((a) => ({
      at: a.occurredAt,
      key: `a${a.id}`,
      node: <ActivityItem a={a} {...props} />,
    })),
    ...(props.conversations ?? []).map((c) => ({
      at: c.createdAt,
      key: `c${c.id}`,
      node: (
        <>
          <span className="kind">Conversation</span> · {STATUS_LABEL[c.status]} · {when(c.createdAt)}
          <p>
            <Link to={`/inbox?c=${c.id}`}>{c.lastMessage ?? "Open the transcript"}</Link>
          </p>
        </>
      ),
    })),
    ...(props.leads ?? []).map((l) => ({
      at: l.createdAt,
      key: `l${l.id}`,
      node: (
        <>
          <span className="kind">Lead</span> · {when(l.createdAt)}
          <p>
            <Link to={`/leads/${l.id}`}>{l.title || "Lead"}</Link> · score {l.score} · {l.status} ·{" "}
            {memberName(props.members, l.ownerId)}
          </p>
        </>
      ),
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  if (items.length === 0) return <p className="empty">Nothing here yet.</p>;
  return (
    <ol className="timeline">
      {items.map((item) => (
        <li key={item.key}>{item.node}</li>
      ))}
    </ol>
  );
}

function ActivityItem({ a, members }: { a: Activity; members: Member[] }) {
  const { when } = useFormats();
  return (
    <>
      <span className="kind">{ACTIVITY_LABEL[a.kind]}</span>
      {a.subject ? ` · ${a.subject}` : ""} · {when(a.occurredAt)} · {memberName(members, a.ownerId)}
      {a.kind === "task" ? (
        <span className="muted small"> · {a.completedAt ? "done" : `due ${when(a.dueAt)}`}</span>
      ) : null}
      {a.body ? <p>{a.body}</p> : null}
    </>
  );
}
