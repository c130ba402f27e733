import { useEffect, useRef, useState } from "react";

// A WebSocket to edge-api through the dashboard's /api proxy (same origin, so the session cookie goes
// with the upgrade). Reconnects with backoff (1 s, 2 s, 4 s … 30 s) while the page shows it; the
// status lets a screen fall back to polling only while the socket is down.

export type SocketStatus = "connecting" | "live" | "reconnecting";

const MAX_BACKOFF_MS = 30_000;
/** Proxies and NATs drop idle connections; a small frame now and then keeps the socket open. */
const KEEPALIVE_MS = 25_000;

/**
 * Opens `path` (e.g. "/api/v1/live"; null: no socket) and hands every text frame to `onFrame`.
 * `ping` is what the server understands as a keep-alive. A new path closes the old socket first.
 */
export function useLiveSocket(
  path: string | null,
  onFrame: (data: string) => void,
  ping: string,
): SocketStatus {
  const [status, setStatus] = useState<SocketStatus>("connecting");
  // The latest handler without reconnecting when it changes (it closes over render state).
  const handler = useRef(onFrame);
  handler.current = onFrame;
  useEffect(() => {
    if (!path) return;
    let socket: WebSocket | null = null;
    let retry = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    let closed = false;
    setStatus("connecting");
    const connect = () => {
      socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`);
      socket.onopen = () => {
        retry = 0;
        setStatus("live");
        keepalive = setInterval(
          () => socket?.readyState === WebSocket.OPEN && socket.send(ping),
          KEEPALIVE_MS,
        );
      };
      socket.onmessage = (event) => handler.current(String(event.data));
      socket.onclose = () => {
        clearInterval(keepalive);
        if (closed) return;
        setStatus("reconnecting");
        timer = setTimeout(connect, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** retry++));
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      clearInterval(keepalive);
      socket?.close();
    };
  }, [path, ping]);
  return status;
}
