// The widget's CSS, scoped by its Shadow DOM: the host page's rules cannot reach in, and these cannot
// leak out. `:host { all: initial !important }` also stops inherited properties (font, colour, line
// height) and the page's rules for its elements (an important :host rule wins over the page's).
// --ap is the workspace's colour, --ap-on the text colour readable on it (set by the widget).

export const CSS = `
:host{all:initial !important}
.ap{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:8px;
font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;--ap:#2563eb;--ap-on:#fff}
.ap *{box-sizing:border-box}
.ap-sr{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
:where(.ap) :where(button,input,textarea){font:inherit;color:inherit}
.ap :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.ap-launcher{position:relative;border:0;border-radius:999px;padding:12px 18px;background:var(--ap);color:var(--ap-on);cursor:pointer;
box-shadow:0 4px 14px rgba(0,0,0,.2);font-weight:600}
.ap-badge{position:absolute;top:-6px;right:-6px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b91c1c;color:#fff;
font-size:12px;line-height:22px;text-align:center}
.ap-badge[hidden]{display:none}
.ap-panel{width:370px;height:min(600px,calc(100vh - 100px));background:#fff;border:1px solid #d1d5db;border-radius:12px;
display:flex;flex-direction:column;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.18)}
.ap-panel[hidden]{display:none}
.ap-head{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--ap);color:var(--ap-on)}
.ap-head h2{flex:1;margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.ap-close{border:0;background:transparent;color:inherit;width:32px;height:32px;border-radius:6px;cursor:pointer;font-size:22px;line-height:1}
.ap-log{flex:1;min-height:0;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}
.ap-m{max-width:85%;width:fit-content;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.ap-visitor{align-self:flex-end;background:var(--ap);color:var(--ap-on);border-bottom-right-radius:4px}
.ap-bot,.ap-agent{align-self:flex-start;background:#f3f4f6;border-bottom-left-radius:4px}
.ap-draft{outline:1px dashed #9ca3af}
.ap-agent{background:#e0f2fe}
.ap-system{align-self:center;max-width:100%;color:#4b5563;font-size:12px;text-align:center;background:none;padding:2px 8px}
.ap-divider{align-self:stretch;display:flex;align-items:center;gap:8px;color:#4b5563;font-size:12px;margin:8px 0}
.ap-divider::before,.ap-divider::after{content:"";flex:1;border-top:1px solid #e5e7eb}
.ap-src{margin:4px 0 0;padding:0;list-style:none;font-size:12px}
.ap-src li{margin-top:2px}
.ap-src a{color:#1d4ed8;text-decoration:underline}
.ap-typing{min-height:20px;padding:0 14px;color:#4b5563;font-size:12px}
.ap-dots{display:inline-flex;gap:3px;padding:4px 0}
.ap-dots i{width:6px;height:6px;border-radius:50%;background:#6b7280;animation:ap-b 1s infinite ease-in-out}
.ap-dots i:nth-child(2){animation-delay:.15s}.ap-dots i:nth-child(3){animation-delay:.3s}
@keyframes ap-b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.ap-dots i{animation:none}}
.ap-quick{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px;max-height:96px;overflow-y:auto}
.ap-quick:not(:empty){padding:6px 12px}
.ap-quick button{border:1px solid var(--ap);background:#fff;color:#1f2937;border-radius:999px;padding:5px 12px;cursor:pointer}
.ap-form{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb}
.ap-form input{flex:1;min-width:0;border:1px solid #d1d5db;border-radius:8px;padding:9px 10px;background:#fff}
.ap-send{border:0;border-radius:8px;padding:0 14px;background:var(--ap);color:var(--ap-on);cursor:pointer;font-weight:600}
.ap-rate{align-self:stretch;border:1px solid #e5e7eb;border-radius:10px;padding:10px;margin-top:4px}
.ap-rate fieldset{border:0;margin:0;padding:0}
.ap-rate legend{font-weight:600;padding:0;margin-bottom:6px}
.ap-stars{display:flex;gap:4px}
.ap-stars label{font-size:24px;line-height:1;cursor:pointer;color:#6b7280;padding:2px 4px;border-radius:4px}
.ap-stars input:checked+label,.ap-stars label.ap-on{color:#b45309}
.ap-stars input:focus-visible+label{outline:3px solid #f59e0b}
.ap-rate .ap-comment-label{display:block;margin:8px 0 4px;font-size:12px}
.ap-rate textarea{width:100%;min-height:52px;border:1px solid #d1d5db;border-radius:8px;padding:6px 8px;resize:vertical}
.ap-rate button{margin-top:8px;border:0;border-radius:8px;padding:7px 12px;background:var(--ap);color:var(--ap-on);cursor:pointer}
.ap-rate button:disabled{opacity:.6;cursor:default}
.ap-rate-error{color:#b91c1c;font-size:12px;margin:6px 0 0}
.ap-thanks{align-self:center;color:#065f46;font-size:13px}
@media (max-width:480px){
.ap{right:12px;bottom:12px}
.ap-panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0;border:0}
.ap[data-open] .ap-launcher{display:none}
}
`;
