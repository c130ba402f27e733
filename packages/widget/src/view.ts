import { readableOn } from "./color.js";
import { sourceLinks } from "./links.js";
import type { Strings } from "./strings.js";
import { CSS } from "./styles.js";
import type { Message, WidgetSettings } from "./types.js";

// The widget's DOM, inside its Shadow DOM: launcher, panel (header, log, typing line, quick replies,
// message box) and the rating form. It renders what the controller tells it and reports the
// visitor's actions through callbacks; it holds no conversation state of its own.

export type ViewActions = {
  toggle(open: boolean): void;
  send(text: string): void;
  rate(conversationId: string, score: number, comment: string): void;
};

export type InputMode = "message" | "answer" | "new";

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export class WidgetView {
  readonly root: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly log: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly quick: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly launcherLabel: string;
  private unread = 0;

  constructor(
    shadow: ShadowRoot,
    private readonly strings: Strings,
    lang: string,
    settings: WidgetSettings,
    private readonly actions: ViewActions,
  ) {
    const style = el("style");
    style.textContent = CSS;
    this.root = el("div", { class: "ap", lang });
    const on = settings.color ? readableOn(settings.color) : undefined;
    if (settings.color && on) {
      this.root.style.setProperty("--ap", settings.color);
      this.root.style.setProperty("--ap-on", on);
    }
    this.launcherLabel = settings.title?.trim() || strings.launcher;

    this.panel = el("div", {
      class: "ap-panel",
      id: "ap-panel",
      role: "dialog",
      "aria-labelledby": "ap-title",
    });
    this.panel.hidden = true;
    const head = el("div", { class: "ap-head" });
    head.append(el("h2", { id: "ap-title" }, settings.businessName?.trim() || this.launcherLabel));
    const close = el("button", { type: "button", class: "ap-close", "aria-label": strings.close }, "×");
    close.addEventListener("click", () => actions.toggle(false));
    head.append(close);

    this.log = el("div", {
      class: "ap-log",
      role: "log",
      "aria-live": "polite",
      "aria-labelledby": "ap-title",
    });
    if (settings.greeting?.trim())
      this.log.append(el("div", { class: "ap-m ap-bot ap-greeting" }, settings.greeting.trim()));
    this.typing = el("div", { class: "ap-typing", "aria-live": "polite" });
    this.quick = el("div", { class: "ap-quick" });

    const form = el("form", { class: "ap-form" });
    form.append(el("label", { class: "ap-sr", for: "ap-in" }, strings.message));
    this.input = el("input", {
      id: "ap-in",
      autocomplete: "off",
      maxlength: "4000",
      placeholder: strings.placeholder,
    });
    form.append(this.input, el("button", { type: "submit", class: "ap-send" }, strings.send));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      actions.send(text);
    });
    this.panel.append(head, this.log, this.typing, this.quick, form);

    this.launcher = el("button", {
      type: "button",
      class: "ap-launcher",
      "aria-expanded": "false",
      "aria-controls": "ap-panel",
    });
    this.badge = el("span", { class: "ap-badge", "aria-hidden": "true" });
    this.badge.hidden = true;
    this.launcher.append(el("span", {}, this.launcherLabel), this.badge);
    this.launcher.addEventListener("click", () => actions.toggle(this.panel.hidden));
    this.root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !this.panel.hidden) actions.toggle(false);
    });
    this.root.append(this.panel, this.launcher);
    shadow.append(style, this.root);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.root.toggleAttribute("data-open", open);
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      this.setUnread(0);
      this.scrollToEnd();
      this.input.focus();
    } else this.launcher.focus();
  }

  setUnread(n: number): void {
    this.unread = n;
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 9 ? "9+" : String(n);
    if (n === 0) this.launcher.removeAttribute("aria-label");
    else this.launcher.setAttribute("aria-label", `${this.launcherLabel}, ${this.strings.unread(n)}`);
  }

  get unreadCount(): number {
    return this.unread;
  }

  /** Appends one message; a knowledge answer gets its sources as links under it. */
  addMessage(m: Message): void {
    const sender = m.sender === "note" ? "system" : m.sender;
    const bubble = el("div", { class: `ap-m ap-${sender}`, "data-seq": String(m.seq) });
    if (sender === "visitor") bubble.append(el("span", { class: "ap-sr" }, `${this.strings.you}: `));
    bubble.append(document.createTextNode(m.text));
    const links = sourceLinks(m.data.sources);
    if (links.length > 0) {
      const list = el("ul", { class: "ap-src", "aria-label": this.strings.sources });
      for (const link of links) {
        const item = el("li");
        item.append(el("a", { href: link.href, target: "_blank", rel: "noopener noreferrer" }, link.label));
        list.append(item);
      }
      bubble.append(list);
    }
    this.log.append(bubble);
    this.scrollToEnd();
  }

  addDivider(text: string): void {
    this.log.append(el("div", { class: "ap-divider", role: "separator" }, text));
    this.scrollToEnd();
  }

  addNotice(text: string): void {
    this.log.append(el("div", { class: "ap-m ap-system" }, text));
    this.scrollToEnd();
  }

  /** Quick replies sit between the log and the message box, in the flow: they never cover messages. */
  setQuickReplies(options: string[]): void {
    this.quick.textContent = "";
    for (const option of options) {
      const b = el("button", { type: "button" }, option);
      b.addEventListener("click", () => {
        this.setQuickReplies([]);
        this.input.focus();
        this.actions.send(option);
      });
      this.quick.append(b);
    }
    this.scrollToEnd();
  }

  /**
   * The answer being written, as a bubble at the end of the log (null removes it). Hidden from screen
   * readers: they hear the finished answer once, not every sentence as it grows.
   */
  setDraft(text: string | null): void {
    const draft = this.log.querySelector(".ap-draft");
    if (text === null) {
      draft?.remove();
      return;
    }
    const bubble = draft ?? el("div", { class: "ap-m ap-bot ap-draft", "aria-hidden": "true" });
    bubble.textContent = text;
    if (!draft) this.log.append(bubble);
    this.scrollToEnd();
  }

  setTyping(on: boolean): void {
    this.typing.textContent = "";
    if (!on) return;
    const dots = el("span", { class: "ap-dots", "aria-hidden": "true" });
    dots.append(el("i"), el("i"), el("i"));
    this.typing.append(dots, el("span", { class: "ap-sr" }, this.strings.typing));
  }

  /** A line under the log for connection trouble; empty clears it. */
  setStatusLine(text: string): void {
    this.typing.textContent = text;
  }

  setInputMode(mode: InputMode): void {
    const s = this.strings;
    this.input.placeholder =
      mode === "answer" ? s.answerPlaceholder : mode === "new" ? s.newConversationPlaceholder : s.placeholder;
  }

  /** The 1–5 rating with an optional comment, for a closed conversation not yet rated. */
  showRating(conversationId: string): void {
    if (this.log.querySelector(`[data-rate="${conversationId}"]`)) return;
    const s = this.strings;
    const form = el("form", { class: "ap-rate", "data-rate": conversationId });
    const group = el("fieldset");
    group.append(el("legend", {}, s.rateTitle));
    const stars = el("div", { class: "ap-stars" });
    const name = `ap-score-${conversationId}`;
    for (let n = 1; n <= 5; n++) {
      const id = `${name}-${n}`;
      const radio = el("input", { type: "radio", name, value: String(n), id, class: "ap-sr" });
      const label = el("label", { for: id, title: s.rateStar(n) });
      label.append(el("span", { "aria-hidden": "true" }, "★"), el("span", { class: "ap-sr" }, s.rateStar(n)));
      radio.addEventListener("change", () => {
        submit.disabled = false;
        for (const l of Array.from(stars.querySelectorAll("label")))
          l.classList.toggle("ap-on", Number(l.getAttribute("for")?.slice(-1)) <= n);
      });
      stars.append(radio, label);
    }
    group.append(stars);
    const commentId = `ap-comment-${conversationId}`;
    const comment = el("textarea", { id: commentId, maxlength: "1000" });
    const submit = el("button", { type: "submit" }, s.submitRating);
    submit.disabled = true;
    const error = el("p", { class: "ap-rate-error", role: "alert" });
    form.append(
      group,
      el("label", { class: "ap-comment-label", for: commentId }, s.comment),
      comment,
      submit,
      error,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const picked = form.querySelector<HTMLInputElement>("input[type=radio]:checked");
      if (!picked) return;
      submit.disabled = true;
      error.textContent = "";
      this.actions.rate(conversationId, Number(picked.value), comment.value.trim());
    });
    this.log.append(form);
    this.scrollToEnd();
  }

  ratingFailed(conversationId: string): void {
    const form = this.log.querySelector(`[data-rate="${conversationId}"]`);
    if (!form) return;
    const submit = form.querySelector("button");
    if (submit) submit.disabled = false;
    const error = form.querySelector(".ap-rate-error");
    if (error) error.textContent = this.strings.ratingFailed;
  }

  ratingDone(conversationId: string): void {
    const thanks = el("div", { class: "ap-thanks", role: "status" }, this.strings.thanks);
    const form = this.log.querySelector(`[data-rate="${conversationId}"]`);
    // Focus was in the form being replaced: give it to the message box, not to the page.
    const hadFocus = form?.contains((this.root.getRootNode() as ShadowRoot).activeElement);
    if (form) form.replaceWith(thanks);
    else this.log.append(thanks);
    if (hadFocus) this.input.focus();
    this.scrollToEnd();
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
