// The shapes the widget reads from edge-api's public chat API (/v1/widget/*). Only what it uses.

export type Source = { chunkId: string; url?: string; title?: string };

export type Message = {
  id: string;
  seq: number;
  sender: "visitor" | "bot" | "agent" | "system" | "note";
  text: string;
  data: {
    kind?: string;
    quickReplies?: string[];
    sources?: Source[];
  } & Record<string, unknown>;
  createdAt: string;
};

export type ConversationStatus = "bot" | "waiting" | "human" | "closed";

export type Conversation = { id: string; status: ConversationStatus; csatScore: number | null };

export type Turn = { conversation: Conversation; messages: Message[] };

export type WidgetSettings = {
  title?: string;
  color?: string;
  greeting?: string;
  businessName?: string;
  locale?: string;
};

export type Session = { token: string; visitorId: string; expiresAt: string; settings: WidgetSettings };

/** What the conversation's WebSocket sends. */
export type ServerFrame =
  | { type: "message"; message: Message }
  | { type: "status"; conversation: Conversation }
  | { type: "typing"; on: boolean }
  /** A model's answer while it is written (grounded sentences so far); the answer's message replaces it. */
  | { type: "draft"; text: string }
  | { type: "error"; code: string; message: string };
