import { WidgetApi } from "./api.js";
import { visitorStore } from "./store.js";
import { type SocketLike, Widget } from "./widget.js";

// The entry of /widget.js: <script src="https://…/widget.js" data-key="wk_…" async></script>.
// The widget lives in a Shadow DOM on its own host element at the end of <body>.

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function mount(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const key = script?.getAttribute("data-key");
  if (!script || !key) {
    console.error("[autopilot] widget.js needs a data-key attribute");
    return;
  }
  const origin = new URL(script.src).origin;
  const host = document.createElement("div");
  host.setAttribute("data-autopilot-widget", "");
  const start = () => {
    document.body.append(host);
    const widget = new Widget({
      api: new WidgetApi(origin, key),
      store: visitorStore(storage()),
      shadow: host.attachShadow({ mode: "open" }),
      // The DOM's WebSocket is a SocketLike; its handler types only name the event more precisely.
      openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    });
    widget
      .boot()
      .catch((error: unknown) => console.error("[autopilot] the chat widget could not start", error));
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
}

mount();
