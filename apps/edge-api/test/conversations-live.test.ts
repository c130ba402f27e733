import { describe, expect, it } from "vitest";
import { say, startConversation, tenantWithWidget } from "./conversation-helpers.js";
import { bearer, call, createKey } from "./helpers.js";
import { isMessage, openSocket } from "./live-socket.js";

// Live frames over the Hibernation WebSockets: the widget's (visitor) and the inbox's (agent).

describe("conversation WebSockets", () => {
  it("a visitor gets history, typing, the bot's replies live, and the whole history on reconnect", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    await say(c, "hello");
    const path = `/v1/widget/conversations/${c.id}/ws?token=${encodeURIComponent(c.token)}`;
    const ws = await openSocket(path);
    // On connect: the transcript so far, then the conversation's status.
    await ws.next((f) => f.type === "status");
    const history = ws.frames.filter((f) => f.type === "message").map((f) => f.message?.seq);
    expect(history.length).toBeGreaterThan(1);
    expect(history).toEqual([...history].sort((a = 0, b = 0) => a - b));

    const from = ws.frames.length;
    ws.send({ type: "message", text: "how much does it cost?" });
    const ask = await ws.next(isMessage("Which plan?"), { from });
    expect(ask.message?.data.quickReplies).toEqual(["Basic", "Pro"]);
    const live = ws.frames.slice(from);
    // The visitor's own message is echoed, typing goes on before the replies and off after them.
    const order = live.map((f) =>
      f.type === "typing" ? `typing:${f.on}` : `${f.type}:${f.message?.sender}`,
    );
    const on = order.indexOf("typing:true");
    expect(order.indexOf("message:visitor")).toBeLessThan(on);
    expect(on).toBeLessThan(order.indexOf("message:bot"));
    await ws.next((f) => f.type === "typing" && f.on === false, { from });
    // A bad frame is answered with an error, and the socket stays usable.
    const bad = ws.frames.length;
    ws.send({ type: "shout" });
    expect((await ws.next((f) => f.type === "error", { from: bad })).code).toBe("invalid_frame");
    ws.close();

    // Reconnect: everything said so far arrives again, in order.
    const again = await openSocket(path);
    await again.next((f) => f.type === "status");
    const texts = again.frames.filter((f) => f.type === "message").map((f) => f.message?.text);
    expect(texts.slice(-2)).toEqual(["Happy to help with a quote!", "Which plan?"]);
    expect(texts).toContain("how much does it cost?");
    again.close();
  });

  it("an agent's inbox socket gets the visitor's messages, notes and status changes live", async () => {
    const t = await tenantWithWidget();
    const c = await startConversation(t);
    const agent = await openSocket(`/v1/conversations/${c.id}/ws`, { cookie: t.auth.cookie ?? "" });
    await agent.next((f) => f.type === "status");
    const visitorWs = await openSocket(
      `/v1/widget/conversations/${c.id}/ws?token=${encodeURIComponent(c.token)}`,
    );
    await visitorWs.next((f) => f.type === "status");

    await say(c, "how much does it cost?");
    await agent.next(isMessage("how much does it cost?"));
    await agent.next(isMessage("Which plan?"));

    const take = await call(`/v1/conversations/${c.id}/takeover`, { body: {}, headers: t.auth });
    expect(take.status).toBe(200);
    await agent.next((f) => f.type === "status" && f.conversation?.status === "human");
    await visitorWs.next((f) => f.type === "status" && f.conversation?.status === "human");

    // The agent replies over the socket; the visitor sees it live. A note reaches agents only.
    agent.send({ type: "message", text: "Hi, I'm Ada." });
    await visitorWs.next(isMessage("Hi, I'm Ada."));
    await call(`/v1/conversations/${c.id}/notes`, { body: { text: "VIP customer" }, headers: t.auth });
    await agent.next(isMessage("VIP customer"));
    // The visitor's next message is proof the note had its chance to arrive: frames are ordered.
    await say(c, "thanks");
    await visitorWs.next(isMessage("thanks"));
    expect(visitorWs.frames.some(isMessage("VIP customer"))).toBe(false);

    // Text that cannot be stored is refused on the socket too, and nothing is appended.
    visitorWs.send({ type: "message", text: "nul\u0000here" });
    expect((await visitorWs.next((f) => f.type === "error")).code).toBe("invalid_frame");

    // A viewer, and a read-only key of any role, watch live but cannot reply over the socket either.
    const viewer = bearer((await createKey(t, "viewer")).secret);
    const readOnly = bearer((await createKey(t, "admin", ["read"])).secret);
    for (const headers of [viewer, readOnly]) {
      const watcher = await openSocket(`/v1/conversations/${c.id}/ws`, headers);
      await watcher.next((f) => f.type === "status");
      watcher.send({ type: "message", text: "I am not allowed to say this" });
      expect((await watcher.next((f) => f.type === "error")).code).toBe("forbidden");
      watcher.close();
    }
    const transcript = await call(`/v1/conversations/${c.id}`, { headers: t.auth });
    expect(JSON.stringify(transcript.json)).not.toContain("I am not allowed to say this");

    // Another tenant's agent cannot join.
    const other = await tenantWithWidget([]);
    await expect(
      openSocket(`/v1/conversations/${c.id}/ws`, { cookie: other.auth.cookie ?? "" }),
    ).rejects.toThrow(/404/);
    agent.close();
    visitorWs.close();
  });
});
