import { useEffect, useRef, useState } from "react";
import { useNavigation, useRevalidator } from "react-router";
import type { ConversationStatus, Message, Transcript } from "../../lib/crm.js";
import { type SocketStatus, useLiveSocket } from "../../lib/use-live-socket.js";

/**
 * How often the inbox re-reads everything while a live socket is down (only while the tab is visible).
 * While the sockets are up nothing polls: the list follows the tenant's live feed, the transcript its
 * conversation's socket.
 */
const FALLBACK_POLL_MS = 4000;

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
export function useLiveInbox(selectedId: string | null, loaded: Transcript | null, loadedAt: number) {
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
  // re-read catches up on what happened while the socket was down. The page's first snapshot is not,
  // when nothing changed after the loader read (its lastEventAt, with a second's margin for clocks).
  const firstFrame = useRef(true);
  const loadedAtRef = useRef(loadedAt);
  loadedAtRef.current = loadedAt;
  const feed = useLiveSocket(
    "/api/v1/live",
    (data) => {
      if (!data.startsWith("{")) return;
      if (firstFrame.current) {
        firstFrame.current = false;
        if (unchangedSince(data, loadedAtRef.current - 1000)) return;
      }
      setNudges((n) => n + 1);
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

/** Whether a live frame says the figures last changed before `at` (an unparsable frame is news). */
function unchangedSince(frame: string, at: number): boolean {
  try {
    const last = (JSON.parse(frame) as { figures?: { lastEventAt?: number | null } }).figures?.lastEventAt;
    return last === null || (typeof last === "number" && last < at);
  } catch {
    return false;
  }
}
