import { createConnection } from "node:net";
import { WebSocketServer } from "ws";

export type Bridge = { port: number; close: () => Promise<void> };

// The neon driver speaks Postgres over a WebSocket; this pipes each WebSocket to a TCP Postgres
// (PGlite's socket server or a real server). Only the configured targets may be reached.
export async function startBridge(opts: { allowed: string[]; port?: number }): Promise<Bridge> {
  const allowed = new Set(opts.allowed);
  const wss = new WebSocketServer({ host: "127.0.0.1", port: opts.port ?? 0 });
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "http://x").searchParams.get("address") ?? "";
    if (!allowed.has(address)) {
      ws.close(1008, "target not allowed");
      return;
    }
    const [host, port] = address.split(":");
    const tcp = createConnection({ host, port: Number(port) });
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;
    tcp.on("connect", () => {
      connected = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    ws.on("message", (data: Buffer) => {
      // A Terminate message ('X', length 4) ends the session: close the TCP side too.
      const isTerminate = data.length === 5 && data[0] === 0x58 && data.readInt32BE(1) === 4;
      if (connected) tcp.write(data);
      else pending.push(data);
      if (isTerminate) tcp.end();
    });
    tcp.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close());
    ws.on("close", () => tcp.end());
    ws.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const address = wss.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
