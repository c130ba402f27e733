import { SELF } from "cloudflare:test";
import { BASE, freshIp } from "./helpers.js";

// A WebSocket client for tests inside workerd: upgrades through the worker (SELF), records every
// frame, and waits (bounded) for the frame a test expects.

export type Frame = {
  type: string;
  on?: boolean;
  message?: { seq: number; sender: string; text: string; data: Record<string, unknown> };
  conversation?: { status: string };
  code?: string;
  /** A "draft" frame's text. */
  text?: string;
};

export type LiveSocket = {
  frames: Frame[];
  send(frame: unknown): void;
  /** Resolves with the first frame (from `from` on) matching `match`; rejects after `timeoutMs`. */
  next(match: (f: Frame) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<Frame>;
  close(): void;
};

export async function openSocket(path: string, headers: Record<string, string> = {}): Promise<LiveSocket> {
  const res = await SELF.fetch(`${BASE}${path}`, {
    headers: { upgrade: "websocket", "cf-connecting-ip": freshIp(), ...headers },
  });
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) throw new Error(`no upgrade: ${res.status} ${await res.text()}`);
  ws.accept();
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data)));
    for (const w of [...waiters]) w();
  });
  return {
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next: (match, { from = 0, timeoutMs = 5000 } = {}) =>
      new Promise<Frame>((resolve, reject) => {
        const check = () => {
          const hit = frames.slice(from).find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => ws.close(1000, "done"),
  };
}

export const isMessage = (text: string) => (f: Frame) => f.type === "message" && f.message?.text === text;
