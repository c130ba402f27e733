import { describe, expect, it } from "vitest";
import { startConversation, tenantWithWidget } from "./conversation-helpers.js";
import { call } from "./helpers.js";
import { isMessage, openSocket } from "./live-socket.js";

// The widget resends a message whose answer it did not get (issue 15, item 15): with the same client
// message id it is stored once and the resend gets that turn's answer back, over HTTP or the socket.

type Turn = { messages: { id: string; sender: string; text: string }[] };

describe("resent visitor messages", () => {
  it("the same client id is one message and one turn; another id is a new message", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    const send = (text: string, clientId?: string) =>
      call(`/v1/widget/conversations/${c.id}/messages`, {
        body: clientId ? { text, clientId } : { text },
        headers: c.auth,
      });
    const first = await send("how much does it cost?", "msg-0001-aaaa");
    const again = await send("how much does it cost?", "msg-0001-aaaa");
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect((again.json as Turn).messages.map((m) => m.id)).toEqual(
      (first.json as Turn).messages.map((m) => m.id),
    );
    // Over the socket too.
    const ws = await openSocket(`/v1/widget/conversations/${c.id}/ws?token=${encodeURIComponent(c.token)}`);
    await ws.next((f) => f.type === "status");
    ws.send({ type: "message", text: "how much does it cost?", clientId: "msg-0001-aaaa" });
    // Frames of one socket are handled in order: once the next message is echoed, the resend was handled.
    ws.send({ type: "message", text: "Basic", clientId: "msg-0002-bbbb" });
    await ws.next(isMessage("Basic"));
    ws.close();
    const transcript = (await call(`/v1/widget/conversations/${c.id}/messages`, { headers: c.auth }))
      .json as Turn;
    const visitor = transcript.messages.filter((m) => m.sender === "visitor").map((m) => m.text);
    expect(visitor).toEqual(["how much does it cost?", "Basic"]);
    // A malformed id is refused, naming the field.
    const bad = await send("hi", "no spaces allowed");
    expect(bad.status).toBe(400);
    expect((bad.json as { error: { message: string } }).error.message).toMatch(/^clientId/);
  });
});
