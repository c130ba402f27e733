import { beforeEach, describe, expect, it } from "vitest";
import { WidgetApi } from "./api.js";
import { visitorStore } from "./store.js";
import type { Conversation, Message, ServerFrame } from "./types.js";
import { type SocketLike, Widget } from "./widget.js";

// The controller against an in-memory stand-in of the public chat API (same paths, bodies and status
// codes as edge-api's /v1/widget/*) and sockets the test drives. The real API and browser are the
// e2e test in apps/edge-api/e2e/widget.e2e.test.ts.

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

class FakeChat {
  conversations = new Map<string, { c: Conversation; messages: Message[] }>();
  calls: string[] = [];
  ratings: { id: string; score: number; comment?: string }[] = [];
  seq = 0;
  /** Message ids the widget sent, in order (one per POST), and how many answers to lose on purpose. */
  clientIds: string[] = [];
  loseAnswers = 0;
  reply = (text: string): Partial<Message> => ({ sender: "bot", text: `echo: ${text}`, data: {} });

  message(id: string, m: Partial<Message>): Message {
    const full: Message = {
      id: `m${++this.seq}`,
      seq: this.seq,
      sender: "bot",
      text: "",
      data: {},
      createdAt: new Date().toISOString(),
      ...m,
    };
    this.conversations.get(id)?.messages.push(full);
    return full;
  }

  close(id: string): Message {
    const conv = this.conversations.get(id);
    if (!conv) throw new Error("no such conversation");
    conv.c.status = "closed";
    return this.message(id, {
      text: "This conversation has ended.",
      data: { kind: "csat_request", quickReplies: ["1", "2", "3", "4", "5"] },
    });
  }

  fetcher = async (url: string, init?: RequestInit): Promise<Response> => {
    const { pathname } = new URL(url);
    const method = init?.method ?? "GET";
    this.calls.push(`${method} ${pathname}`);
    const body = init?.body ? JSON.parse(String(init.body)) : {};
    const json = (status: number, value: unknown) =>
      new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
    if (pathname === "/v1/widget/session")
      return json(201, {
        token: "t",
        visitorId: body.visitorId ?? "v_visitor01",
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        settings: { businessName: "Bike Shop", locale: "en", greeting: "Hi! Ask us anything." },
      });
    if (pathname === "/v1/widget/conversations") {
      const id = `conv${this.conversations.size + 1}`;
      const c: Conversation = { id, status: "bot", csatScore: null };
      this.conversations.set(id, { c, messages: [] });
      return json(201, { conversation: c, messages: [] });
    }
    const m = /^\/v1\/widget\/conversations\/([^/]+)\/(messages|csat)$/.exec(pathname);
    const conv = m?.[1] ? this.conversations.get(m[1]) : undefined;
    if (!m?.[1] || !conv)
      return json(404, { error: { code: "not_found", message: "conversation not found" } });
    if (m[2] === "csat") {
      if (conv.c.status !== "closed")
        return json(409, { error: { code: "conflict", message: "rate the conversation after it closes" } });
      if (conv.c.csatScore !== null)
        return json(409, { error: { code: "conflict", message: "already rated" } });
      conv.c.csatScore = body.score;
      this.ratings.push({ id: m[1], ...body });
      return json(200, conv.c);
    }
    if (method === "GET") {
      const after = Number(new URL(url).searchParams.get("after") ?? 0);
      return json(200, { conversation: conv.c, messages: conv.messages.filter((x) => x.seq > after) });
    }
    if (conv.c.status === "closed")
      return json(409, { error: { code: "conflict", message: "conversation is closed" } });
    this.clientIds.push(body.clientId);
    // Like the server: a resend of a stored message answers with that turn again.
    const known = conv.messages.findIndex((x) => x.data.clientId === body.clientId);
    if (known >= 0) return json(200, { conversation: conv.c, messages: conv.messages.slice(known) });
    const visitor = this.message(m[1], {
      sender: "visitor",
      text: body.text,
      data: { clientId: body.clientId },
    });
    const reply = this.message(m[1], this.reply(body.text));
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return json(503, { error: { code: "unavailable", message: "the answer was lost" } });
    }
    return json(200, { conversation: conv.c, messages: [visitor, reply] });
  };
}

function setup(chat = new FakeChat()) {
  document.body.innerHTML = "";
  const host = document.createElement("div");
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  const sockets: FakeSocket[] = [];
  const widget = new Widget({
    api: new WidgetApi("https://api.test", "wk_testtesttest", chat.fetcher),
    store: visitorStore(localStorage),
    shadow,
    openSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    wait: async () => undefined,
  });
  const $ = (sel: string) => shadow.querySelector(sel) as HTMLElement;
  const texts = () =>
    Array.from(shadow.querySelectorAll(".ap-log > .ap-m, .ap-log > .ap-divider")).map((e) =>
      (e.textContent ?? "").replace(/^You: /, ""),
    );
  return { chat, widget, shadow, sockets, $, texts };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("Widget", () => {
  beforeEach(() => localStorage.clear());

  it("opening the panel shows the greeting and creates no conversation; the first message does", async () => {
    const { chat, widget, $, texts } = setup();
    await widget.boot();
    expect($(".ap-head h2").textContent).toBe("Bike Shop");
    widget.toggle(true);
    expect($(".ap-launcher").getAttribute("aria-expanded")).toBe("true");
    expect(texts()).toEqual(["Hi! Ask us anything."]);
    expect(chat.calls).toEqual(["POST /v1/widget/session"]);
    await widget.send("do you ship to Canada?");
    expect(chat.calls).toContain("POST /v1/widget/conversations");
    expect(texts()).toEqual([
      "Hi! Ask us anything.",
      "do you ship to Canada?",
      "echo: do you ship to Canada?",
    ]);
  });

  it("after an agent closes the conversation the visitor rates it and the next message opens a new one", async () => {
    const { chat, widget, sockets, shadow, texts } = setup();
    await widget.boot();
    widget.toggle(true);
    await widget.send("hello");
    const socket = sockets[0];
    if (!socket) throw new Error("no socket opened");
    socket.open();
    chat.conversations.get("conv1")!.c.status = "closed";
    socket.push({ type: "status", conversation: { id: "conv1", status: "closed", csatScore: null } });
    socket.push({ type: "message", message: chat.close("conv1") });
    // The quick replies "1".."5" are replaced by the rating form; nothing is sent as a chat message.
    expect(shadow.querySelectorAll(".ap-quick button")).toHaveLength(0);
    const form = shadow.querySelector<HTMLFormElement>(".ap-rate");
    expect(form).not.toBeNull();
    expect((shadow.querySelector("#ap-in") as HTMLInputElement).placeholder).toMatch(/new conversation/);
    shadow.querySelector<HTMLInputElement>(".ap-rate input[value='4']")!.click();
    shadow.querySelector<HTMLTextAreaElement>(".ap-rate textarea")!.value = "Quick and friendly";
    form!.requestSubmit();
    await settle();
    await settle();
    expect(chat.ratings).toEqual([{ id: "conv1", score: 4, comment: "Quick and friendly" }]);
    expect(shadow.querySelector(".ap-thanks")?.textContent).toBe("Thank you for your feedback!");

    await widget.send("one more question");
    expect(texts()).toEqual([
      "Hi! Ask us anything.",
      "hello",
      "echo: hello",
      "This conversation has ended.",
      "New conversation",
      "one more question",
      "echo: one more question",
    ]);
    expect(chat.conversations.get("conv2")?.messages.map((m) => m.text)).toEqual([
      "one more question",
      "echo: one more question",
    ]);
    expect(JSON.parse(localStorage.getItem("ap_conversations") ?? "[]")).toEqual(["conv1", "conv2"]);
  });

  it("shows an answer as it is written, hidden from screen readers, and replaces it with the answer", async () => {
    const { chat, widget, sockets, shadow, texts } = setup();
    await widget.boot();
    widget.toggle(true);
    await widget.send("hello");
    const socket = sockets[0]!;
    socket.open();
    socket.push({ type: "typing", on: true });
    socket.push({ type: "draft", text: "We open at 9." });
    socket.push({ type: "draft", text: "We open at 9. We close at 5." });
    const drafts = shadow.querySelectorAll(".ap-draft");
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.getAttribute("aria-hidden")).toBe("true");
    expect(drafts[0]?.textContent).toBe("We open at 9. We close at 5.");
    socket.push({
      type: "message",
      message: chat.message("conv1", { text: "We open at 9. We close at 5." }),
    });
    expect(shadow.querySelector(".ap-draft")).toBeNull();
    expect(texts().at(-1)).toBe("We open at 9. We close at 5.");
    expect(texts().filter((t) => t === "We open at 9. We close at 5.")).toHaveLength(1);
    // A turn that ends without an answer takes its draft away too.
    socket.push({ type: "draft", text: "Half" });
    socket.push({ type: "typing", on: false });
    expect(shadow.querySelector(".ap-draft")).toBeNull();
  });

  it("a resend after a lost answer carries the same message id, so the message is stored once", async () => {
    const { chat, widget, texts } = setup();
    await widget.boot();
    chat.loseAnswers = 1;
    await widget.send("is the cargo bike in stock?");
    expect(chat.clientIds).toHaveLength(2);
    expect(chat.clientIds[0]).toBe(chat.clientIds[1]);
    const visitorMessages = chat.conversations.get("conv1")?.messages.filter((m) => m.sender === "visitor");
    expect(visitorMessages?.map((m) => m.text)).toEqual(["is the cargo bike in stock?"]);
    expect(texts().filter((t) => t === "is the cargo bike in stock?")).toHaveLength(1);
    // The next message is a new one, with an id of its own.
    await widget.send("and in blue?");
    expect(chat.clientIds[2]).not.toBe(chat.clientIds[0]);
  });

  it("a message sent over the socket into a conversation closed meanwhile goes to a new one", async () => {
    const { chat, widget, sockets } = setup();
    await widget.boot();
    await widget.send("hello");
    const socket = sockets[0]!;
    socket.open();
    await widget.send("are you there?");
    expect(JSON.parse(socket.sent[0] ?? "{}")).toMatchObject({ type: "message", text: "are you there?" });
    expect(JSON.parse(socket.sent[0] ?? "{}").clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    chat.close("conv1");
    socket.push({ type: "error", code: "conflict", message: "conversation is closed" });
    await settle();
    await settle();
    expect(chat.conversations.get("conv2")?.messages[0]?.text).toBe("are you there?");
  });

  it("counts replies that arrive while the panel is closed on the launcher's badge", async () => {
    const { chat, widget, sockets, $ } = setup();
    await widget.boot();
    widget.toggle(true);
    await widget.send("hello");
    widget.toggle(false);
    const socket = sockets[0]!;
    socket.open();
    expect($(".ap-badge").hidden).toBe(true);
    socket.push({
      type: "message",
      message: chat.message("conv1", { sender: "agent", text: "Hi, Maya here" }),
    });
    socket.push({
      type: "message",
      message: chat.message("conv1", { sender: "agent", text: "Still there?" }),
    });
    expect($(".ap-badge").hidden).toBe(false);
    expect($(".ap-badge").textContent).toBe("2");
    expect($(".ap-launcher").getAttribute("aria-label")).toBe("Chat with us, 2 unread messages");
    widget.toggle(true);
    expect($(".ap-badge").hidden).toBe(true);
  });

  it("comes back after a reload with every recent conversation, and after a dropped socket with what it missed", async () => {
    const first = setup();
    await first.widget.boot();
    await first.widget.send("hello");
    first.chat.close("conv1");
    await first.widget.send("again");
    // Reload: a new widget on the same storage and server.
    const { widget, sockets, chat, texts } = setup(first.chat);
    await widget.boot();
    expect(texts()).toEqual([
      "Hi! Ask us anything.",
      "hello",
      "echo: hello",
      "This conversation has ended.",
      "New conversation",
      "again",
      "echo: again",
    ]);
    const socket = sockets[0]!;
    expect(socket.url).toContain("/v1/widget/conversations/conv2/ws?token=t");
    socket.open();
    chat.message("conv2", { sender: "agent", text: "sent while you were offline" });
    socket.drop();
    await settle();
    await settle();
    expect(texts().at(-1)).toBe("sent while you were offline");
    expect(sockets).toHaveLength(2);
  });

  it("quick replies are buttons that send their label and disappear once answered", async () => {
    const chat = new FakeChat();
    chat.reply = () => ({
      sender: "bot",
      text: "Which plan?",
      data: { kind: "ask", quickReplies: ["Basic", "Pro"] },
    });
    const { widget, shadow } = setup(chat);
    await widget.boot();
    widget.toggle(true);
    await widget.send("a quote please");
    const buttons = Array.from(shadow.querySelectorAll<HTMLButtonElement>(".ap-quick button"));
    expect(buttons.map((b) => b.textContent)).toEqual(["Basic", "Pro"]);
    expect((shadow.querySelector("#ap-in") as HTMLInputElement).placeholder).toBe("Your answer");
    chat.reply = () => ({ sender: "bot", text: "Thanks", data: {} });
    buttons[1]!.click();
    await settle();
    await settle();
    expect(chat.conversations.get("conv1")?.messages.map((m) => m.text)).toContain("Pro");
    expect(shadow.querySelectorAll(".ap-quick button")).toHaveLength(0);
  });
});
