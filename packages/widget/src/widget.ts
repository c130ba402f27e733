import { ApiError, type WidgetApi } from "./api.js";
import type { VisitorStore } from "./store.js";
import { type Strings, stringsFor } from "./strings.js";
import type { Conversation, ConversationStatus, Message, ServerFrame, Session } from "./types.js";
import { WidgetView } from "./view.js";

// The widget's behaviour: one visitor session, the visitor's recent conversations (the current one
// last), a WebSocket to the current one (HTTP when it cannot connect), and the rules a customer
// expects: a conversation starts with the first message (opening the panel creates nothing), a
// closed one can be rated and the next message starts a new one below it, messages that arrive while
// the panel is closed count on the launcher's badge, and a dropped connection comes back with history.

export type SocketLike = {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
};

export type WidgetDeps = {
  api: WidgetApi;
  store: VisitorStore;
  shadow: ShadowRoot;
  openSocket: (url: string) => SocketLike;
  /** Timers, injectable so unit tests run the backoff without waiting. */
  wait?: (ms: number) => Promise<void>;
};

type ConversationState = {
  id: string;
  status: ConversationStatus;
  csatScore: number | null;
  lastSeq: number;
};

const OPEN = 1;
const MAX_SEND_TRIES = 6;
const MAX_SOCKET_RETRIES = 8;
const POLL_MS = 4000;
/** A cached session is reused while it has at least this long to live. */
const SESSION_MARGIN_MS = 120_000;

export class Widget {
  view: WidgetView | null = null;
  private strings: Strings = stringsFor("en").strings;
  private session: Session | null = null;
  private readonly conversations: ConversationState[] = [];
  private readonly seen = new Set<string>();
  private socket: SocketLike | null = null;
  private socketFor: string | null = null;
  private socketRetries = 0;
  private poll: ReturnType<typeof setInterval> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private sentOverSocket: string | null = null;
  private loaded = false;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly deps: WidgetDeps) {
    this.wait = deps.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Starts the session, draws the launcher and brings back the visitor's recent conversations. */
  async boot(): Promise<void> {
    const session = await this.ensureSession();
    const { lang, strings } = stringsFor(session.settings.locale);
    this.strings = strings;
    this.view = new WidgetView(this.deps.shadow, strings, lang, session.settings, {
      toggle: (open) => this.toggle(open),
      send: (text) => this.send(text),
      rate: (id, score, comment) => void this.rate(id, score, comment),
    });
    await this.restore();
  }

  get current(): ConversationState | undefined {
    return this.conversations[this.conversations.length - 1];
  }

  toggle(open: boolean): void {
    this.view?.setOpen(open);
  }

  send(text: string): Promise<void> {
    this.sending = this.sending.then(() => this.deliver(text));
    return this.sending;
  }

  async rate(conversationId: string, score: number, comment: string): Promise<void> {
    try {
      const conversation = await this.withSession(() => this.deps.api.rate(conversationId, score, comment));
      this.updateConversation(conversation);
      this.view?.ratingDone(conversationId);
    } catch (error) {
      // Rated already (another tab): the rating is saved, which is what the visitor wanted.
      if (error instanceof ApiError && error.status === 409 && /rated/.test(error.message))
        this.view?.ratingDone(conversationId);
      else this.view?.ratingFailed(conversationId);
    }
  }

  // ---- Session and history ---------------------------------------------------------------------

  private async ensureSession(): Promise<Session> {
    const s = this.session;
    if (s && this.deps.api.hasSession && Date.parse(s.expiresAt) - Date.now() > SESSION_MARGIN_MS) return s;
    const session = await this.deps.api.session(this.deps.store.visitorId);
    this.deps.store.setVisitorId(session.visitorId);
    this.session = session;
    return session;
  }

  /** Runs an API call; an expired token (401) gets one new session and one more try. */
  private async withSession<T>(call: () => Promise<T>): Promise<T> {
    await this.ensureSession();
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      this.session = null;
      await this.ensureSession();
      return call();
    }
  }

  private async restore(): Promise<void> {
    for (const id of this.deps.store.conversations) {
      try {
        const turn = await this.withSession(() => this.deps.api.history(id));
        this.addConversation(turn.conversation);
        for (const m of turn.messages) this.onMessage(id, m);
      } catch (error) {
        // Gone (erased, or another visitor's id in this browser): forget it, keep the others.
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
      }
    }
    this.loaded = true;
    this.refreshControls();
    const current = this.current;
    if (current && current.status !== "closed") this.connect(current.id);
  }

  private addConversation(c: Conversation): ConversationState {
    const existing = this.conversations.find((x) => x.id === c.id);
    if (existing) return existing;
    if (this.conversations.length > 0) this.view?.addDivider(this.strings.newConversation);
    const state: ConversationState = { id: c.id, status: c.status, csatScore: c.csatScore, lastSeq: 0 };
    this.conversations.push(state);
    this.deps.store.addConversation(c.id);
    return state;
  }

  private updateConversation(c: Conversation): void {
    const state = this.conversations.find((x) => x.id === c.id);
    if (!state) return;
    const wasOpen = state.status !== "closed";
    state.status = c.status;
    state.csatScore = c.csatScore;
    if (wasOpen && c.status === "closed" && state === this.current) {
      this.view?.setTyping(false);
      this.refreshControls();
    }
  }

  // ---- Messages --------------------------------------------------------------------------------

  private onMessage(conversationId: string, m: Message): void {
    if (this.seen.has(m.id)) return;
    this.seen.add(m.id);
    const state = this.conversations.find((x) => x.id === conversationId);
    if (state) state.lastSeq = Math.max(state.lastSeq, m.seq);
    const view = this.view;
    if (!view) return;
    if (m.data.kind === "csat_request") {
      // The closing question is asked by the rating form, in the visitor's language.
      view.addNotice(this.strings.closed);
      if (state && state.csatScore === null) view.showRating(conversationId);
    } else view.addMessage(m);
    const reply = m.sender === "bot" || m.sender === "agent";
    if (this.loaded && reply && !view.isOpen) view.setUnread(view.unreadCount + 1);
    if (this.loaded) this.refreshControls(m);
  }

  /** Quick replies and the input's hint follow the current conversation's last message. */
  private refreshControls(last?: Message): void {
    const view = this.view;
    const current = this.current;
    if (!view) return;
    if (!current || current.status === "closed") {
      view.setQuickReplies([]);
      view.setInputMode(current ? "new" : "message");
      return;
    }
    if (!last || last.sender === "visitor") {
      if (last) view.setQuickReplies([]);
      view.setInputMode("message");
      return;
    }
    view.setQuickReplies(last.data.kind === "csat_request" ? [] : (last.data.quickReplies ?? []));
    view.setInputMode(last.data.kind === "ask" ? "answer" : "message");
  }

  private async deliver(text: string): Promise<void> {
    // One id for this message across every try, over the socket or HTTP: a resend is not a new message.
    const clientId = messageId();
    for (let attempt = 0; attempt < MAX_SEND_TRIES; attempt++) {
      try {
        let current = this.current;
        if (!current || current.status === "closed") {
          const turn = await this.withSession(() => this.deps.api.start());
          current = this.addConversation(turn.conversation);
          this.refreshControls();
        }
        const id = current.id;
        if (this.socket?.readyState === OPEN && this.socketFor === id) {
          this.sentOverSocket = text;
          this.socket.send(JSON.stringify({ type: "message", text, clientId }));
        } else {
          // The socket opens while the answer is written, so a streamed answer shows as it grows.
          this.connect(id);
          this.view?.setTyping(true);
          const turn = await this.withSession(() => this.deps.api.send(id, text, clientId));
          this.view?.setTyping(false);
          this.view?.setDraft(null);
          this.updateConversation(turn.conversation);
          for (const m of turn.messages) this.onMessage(id, m);
        }
        this.view?.setStatusLine("");
        return;
      } catch (error) {
        this.view?.setTyping(false);
        if (error instanceof ApiError && error.status === 409 && this.current) {
          // Closed meanwhile (an agent closed it): the message opens a new conversation instead.
          this.current.status = "closed";
          continue;
        }
        if (error instanceof ApiError && error.status < 500 && error.status !== 401) {
          this.view?.addNotice(error.message);
          return;
        }
        this.view?.setStatusLine(this.strings.notSent);
        await this.wait(Math.min(15_000, 1000 * 2 ** attempt));
      }
    }
  }

  // ---- Live connection -------------------------------------------------------------------------

  private connect(conversationId: string): void {
    if (this.socketFor === conversationId && this.socket && this.socket.readyState <= OPEN) return;
    this.socket?.close();
    const socket = this.deps.openSocket(this.deps.api.socketUrl(conversationId));
    this.socket = socket;
    this.socketFor = conversationId;
    socket.onopen = () => {
      this.socketRetries = 0;
      this.stopPolling();
      this.view?.setStatusLine("");
    };
    socket.onmessage = (ev) => this.onFrame(conversationId, ev.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const state = this.conversations.find((x) => x.id === conversationId);
      if (!state || state.status === "closed" || this.current !== state) return;
      void this.reconnect(conversationId);
    };
  }

  private async reconnect(conversationId: string): Promise<void> {
    this.socketRetries++;
    if (this.socketRetries > MAX_SOCKET_RETRIES) {
      this.startPolling(conversationId);
      return;
    }
    if (this.view?.isOpen) this.view.setStatusLine(this.strings.reconnecting);
    await this.wait(Math.min(30_000, 500 * 2 ** this.socketRetries));
    if (this.current?.id !== conversationId) return;
    try {
      await this.catchUp(conversationId);
      this.connect(conversationId);
    } catch {
      void this.reconnect(conversationId);
    }
  }

  private async catchUp(conversationId: string): Promise<void> {
    const state = this.conversations.find((x) => x.id === conversationId);
    const turn = await this.withSession(() => this.deps.api.history(conversationId, state?.lastSeq ?? 0));
    this.updateConversation(turn.conversation);
    for (const m of turn.messages) this.onMessage(conversationId, m);
  }

  private startPolling(conversationId: string): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      if (this.current?.id !== conversationId || this.current.status === "closed") return this.stopPolling();
      this.catchUp(conversationId).catch(() => undefined);
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private onFrame(conversationId: string, data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === "message") {
      if (frame.message.sender !== "visitor") this.view?.setDraft(null);
      this.onMessage(conversationId, frame.message);
    } else if (frame.type === "status") this.updateConversation(frame.conversation);
    else if (frame.type === "draft") this.view?.setDraft(frame.text);
    else if (frame.type === "typing") {
      this.view?.setTyping(frame.on);
      if (!frame.on) this.view?.setDraft(null);
    } else if (frame.type === "error") {
      const text = this.sentOverSocket;
      this.sentOverSocket = null;
      const current = this.current;
      if (frame.code === "conflict" && text && current?.id === conversationId) {
        current.status = "closed";
        void this.send(text);
      } else this.view?.addNotice(frame.message);
    }
  }
}

/** A random id for one outgoing message (crypto.randomUUID where the page has it). */
function messageId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}
