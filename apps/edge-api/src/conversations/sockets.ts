import type { z } from "zod";
import { AppError } from "../domain/errors.js";
import { ClientFrame, type ConversationView, type MessageView, type ServerFrame } from "./protocol.js";

// The conversation's WebSockets (the Hibernation API: sockets outlive the object's memory, so who
// holds each one is an attachment on the socket itself). The worker authenticates callers and says
// who they are; the visitor sees the transcript without internal notes, agents see all of it.

/** Who holds a socket; `mayReply` is decided by the worker's access rule (domain/principal.ts allows). */
export type SocketTag = { role: "visitor" | "agent"; id: string; mayReply?: boolean };

/** Internal notes and the "nobody was available" system line are for agents only. */
export const visibleToVisitor = (m: MessageView) =>
  m.sender !== "note" && !(m.sender === "system" && m.data.result === "not_available");

export const tagOf = (ws: WebSocket) => ws.deserializeAttachment() as SocketTag | null;

/** Who the upgrade request says the caller is (headers the worker set after authenticating). */
export function callerOf(request: Request): { tenantId: string; conversationId: string; tag: SocketTag } {
  const role = request.headers.get("x-role") === "agent" ? "agent" : "visitor";
  return {
    tenantId: request.headers.get("x-tenant-id") ?? "",
    conversationId: request.headers.get("x-conversation-id") ?? "",
    tag: {
      role,
      id: request.headers.get("x-principal-id") ?? "",
      mayReply: role === "visitor" || request.headers.get("x-may-reply") === "1",
    },
  };
}

/** Accepts the socket and sends what the caller may see of the transcript, then the status. */
export function openSocket(
  ctx: DurableObjectState,
  tag: SocketTag,
  history: MessageView[],
  conversation: ConversationView,
): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  ctx.acceptWebSocket(server, [tag.role]);
  server.serializeAttachment(tag);
  for (const m of tag.role === "visitor" ? history.filter(visibleToVisitor) : history)
    server.send(JSON.stringify({ type: "message", message: m } satisfies ServerFrame));
  server.send(JSON.stringify({ type: "status", conversation } satisfies ServerFrame));
  return new Response(null, { status: 101, webSocket: client });
}

/** Sends a frame to every socket that may see it (a note only to agents). */
export function broadcast(ctx: DurableObjectState, frame: ServerFrame): void {
  const text = JSON.stringify(frame);
  const hidden = frame.type === "message" && !visibleToVisitor(frame.message);
  for (const ws of ctx.getWebSockets()) {
    if (hidden && tagOf(ws)?.role !== "agent") continue;
    try {
      ws.send(text);
    } catch {
      // A socket closing mid-send: its client reconnects and reloads history.
    }
  }
}

/** A client's frame, or null after telling the socket it was not one. */
export function readFrame(ws: WebSocket, message: string | ArrayBuffer): z.infer<typeof ClientFrame> | null {
  try {
    return ClientFrame.parse(
      JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)),
    );
  } catch {
    ws.send(
      JSON.stringify({ type: "error", code: "invalid_frame", message: "expected {type:'message',text}" }),
    );
    return null;
  }
}

/** A refusal says what was wrong; a fault says only that it failed (its details go to the log). */
export function errorFrame(error: unknown): ServerFrame {
  return error instanceof AppError
    ? { type: "error", code: error.code, message: error.message }
    : { type: "error", code: "internal", message: "the message could not be handled" };
}
