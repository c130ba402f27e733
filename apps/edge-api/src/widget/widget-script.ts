// The web chat widget: one <script src=".../widget.js" data-key="wk_…" async></script>. Vanilla JS,
// no dependencies, served as a string. WebSocket first; HTTP (POST + polling) when it cannot connect.
// Accessible: a real <button> toggles the panel, the log is an aria-live region, Enter sends,
// Escape closes, quick replies are buttons in tab order.

export const WIDGET_SCRIPT = `(() => {
  "use strict";
  const script = document.currentScript;
  const key = script && script.getAttribute("data-key");
  if (!key) { console.error("[autopilot] widget.js needs data-key"); return; }
  const api = new URL(script.src).origin;
  const store = { get: (k) => { try { return localStorage.getItem("ap_" + k); } catch { return null; } },
                  set: (k, v) => { try { localStorage.setItem("ap_" + k, v); } catch {} } };
  let token = null, convId = store.get("conversation"), ws = null, lastSeq = 0, retry = 0, poll = null;
  const seen = new Set();

  const root = document.createElement("div");
  root.setAttribute("data-autopilot-widget", "");
  root.innerHTML = '<style>.ap-w{position:fixed;right:16px;bottom:16px;font:14px system-ui,sans-serif;z-index:2147483000}' +
    '.ap-b{border-radius:24px;padding:10px 16px;border:0;background:var(--ap,#2563eb);color:#fff;cursor:pointer}' +
    '.ap-p{display:none;width:320px;height:440px;background:#fff;border:1px solid #ccc;border-radius:8px;flex-direction:column;margin-bottom:8px}' +
    '.ap-p[data-open]{display:flex}.ap-l{flex:1;overflow:auto;padding:8px}.ap-m{margin:4px 0;padding:6px 10px;border-radius:8px;max-width:85%}' +
    '.ap-visitor{background:var(--ap,#2563eb);color:#fff;margin-left:auto}.ap-bot,.ap-agent{background:#f1f1f1}.ap-system{color:#666;font-size:12px;text-align:center}' +
    '.ap-q button{margin:2px;border:1px solid var(--ap,#2563eb);background:#fff;border-radius:12px;padding:4px 8px;cursor:pointer}' +
    '.ap-f{display:flex;border-top:1px solid #ddd}.ap-f input{flex:1;border:0;padding:10px}.ap-t{font-size:12px;color:#666;padding:0 8px;min-height:16px}' +
    ':focus-visible{outline:2px solid #f59e0b}</style>' +
    '<div class="ap-w"><div class="ap-p" role="dialog" aria-label="Chat"><div class="ap-l" role="log" aria-live="polite"></div>' +
    '<div class="ap-q"></div><div class="ap-t" aria-live="polite"></div>' +
    '<form class="ap-f"><label style="position:absolute;left:-9999px" for="ap-in">Message</label>' +
    '<input id="ap-in" autocomplete="off" maxlength="4000" placeholder="Type a message"><button class="ap-b" type="submit">Send</button></form></div>' +
    '<button class="ap-b ap-o" type="button" aria-expanded="false">Chat with us</button></div>';
  document.body.appendChild(root);
  const $ = (s) => root.querySelector(s);
  const panel = $(".ap-p"), log = $(".ap-l"), quick = $(".ap-q"), typing = $(".ap-t"), input = $("#ap-in"), opener = $(".ap-o");

  const toggle = (open) => {
    if (open) panel.setAttribute("data-open", ""); else panel.removeAttribute("data-open");
    opener.setAttribute("aria-expanded", String(open));
    if (open) { input.focus(); connect(); } else opener.focus();
  };
  opener.addEventListener("click", () => toggle(!panel.hasAttribute("data-open")));
  root.addEventListener("keydown", (e) => { if (e.key === "Escape") toggle(false); });

  function render(m) {
    if (seen.has(m.id)) return;
    seen.add(m.id); lastSeq = Math.max(lastSeq, m.seq);
    const div = document.createElement("div");
    div.className = "ap-m ap-" + m.sender;
    div.textContent = m.text;
    log.appendChild(div); log.scrollTop = log.scrollHeight;
    quick.textContent = "";
    const options = (m.data && m.data.quickReplies) || [];
    for (const o of options) {
      const b = document.createElement("button"); b.type = "button"; b.textContent = o;
      b.addEventListener("click", () => send(o)); quick.appendChild(b);
    }
    // A form prompt: hint the expected answer in the input.
    input.placeholder = m.data && m.data.kind === "ask" ? "Your answer" : "Type a message";
  }

  async function call(path, body) {
    const res = await fetch(api + path, { method: body ? "POST" : "GET",
      headers: { authorization: "Bearer " + token, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }

  async function session() {
    const res = await fetch(api + "/v1/widget/session", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(store.get("visitor") ? { publicKey: key, visitorId: store.get("visitor") } : { publicKey: key }) });
    if (!res.ok) throw new Error("session " + res.status);
    const s = await res.json();
    token = s.token; store.set("visitor", s.visitorId);
    if (s.settings && s.settings.color) root.style.setProperty("--ap", s.settings.color);
    if (s.settings && s.settings.title) opener.textContent = s.settings.title;
  }

  async function connect() {
    if (ws && ws.readyState <= 1) return;
    try {
      if (!token) await session();
      if (convId) { try { (await call("/v1/widget/conversations/" + convId + "/messages?after=" + lastSeq)).messages.forEach(render); } catch { convId = null; } }
      if (!convId) { const c = await call("/v1/widget/conversations", { channel: "web" }); convId = c.conversation.id; store.set("conversation", convId); c.messages.forEach(render); }
      ws = new WebSocket(api.replace(/^http/, "ws") + "/v1/widget/conversations/" + convId + "/ws?token=" + encodeURIComponent(token));
      ws.onopen = () => { retry = 0; if (poll) { clearInterval(poll); poll = null; } };
      ws.onmessage = (e) => { const f = JSON.parse(e.data);
        if (f.type === "message") render(f.message);
        else if (f.type === "typing") typing.textContent = f.on ? "Typing…" : "";
        else if (f.type === "error") typing.textContent = f.message; };
      ws.onclose = () => { ws = null; if (retry++ < 8) setTimeout(connect, Math.min(30000, 500 * 2 ** retry));
        else if (!poll) poll = setInterval(() => call("/v1/widget/conversations/" + convId + "/messages?after=" + lastSeq).then((r) => r.messages.forEach(render)).catch(() => {}), 3000); };
    } catch (e) { setTimeout(connect, Math.min(30000, 1000 * 2 ** retry++)); }
  }

  async function send(text) {
    text = String(text).trim(); if (!text) return;
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify({ type: "message", text })); return; }
    typing.textContent = "Typing…";
    try { (await call("/v1/widget/conversations/" + convId + "/messages", { text })).messages.forEach(render); }
    catch (e) { typing.textContent = "Not sent — retrying…"; setTimeout(() => send(text), 2000); return; }
    typing.textContent = "";
  }
  $(".ap-f").addEventListener("submit", (e) => { e.preventDefault(); const t = input.value; input.value = ""; send(t); });
})();
`;
