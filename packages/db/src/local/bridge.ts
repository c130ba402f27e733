import { createConnection, type Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { type ServerConnection, ServerPool } from "./server-pool.js";
import { MessageSplitter, PROTOCOL_3, SSL_REQUEST, takeUntyped } from "./wire.js";

/** What the bridge has carried so far: the benchmarks' view of connections and round trips. */
export type BridgeStats = {
  /** WebSockets opened by clients: a Worker's connections. */
  sessions: number;
  /** Server connections opened: backends forked, on a server. */
  serverConnections: number;
  /** Syncs and simple Queries the clients sent on pooled connections: their round trips. */
  roundTrips: number;
};

export type Bridge = { port: number; stats: () => BridgeStats; close: () => Promise<void> };

/**
 * The neon driver speaks Postgres over a WebSocket; this pipes each WebSocket to a TCP Postgres
 * (PGlite's socket server or a real server). Only the configured targets may be reached. Targets in
 * `pooled` get warm server connections reused across WebSockets (server-pool.ts), as production's
 * pooler gives; the others get a new TCP connection per WebSocket.
 */
export async function startBridge(opts: {
  allowed: string[];
  pooled?: string[];
  port?: number;
}): Promise<Bridge> {
  const allowed = new Set(opts.allowed);
  const counts = { sessions: 0, roundTrips: 0 };
  const pools = new Map<string, ServerPool>();
  for (const target of opts.pooled ?? []) {
    const [host, port] = target.split(":");
    pools.set(target, new ServerPool(host ?? "127.0.0.1", Number(port)));
  }
  const wss = new WebSocketServer({ host: "127.0.0.1", port: opts.port ?? 0 });
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "http://x").searchParams.get("address") ?? "";
    if (!allowed.has(address)) {
      ws.close(1008, "target not allowed");
      return;
    }
    counts.sessions++;
    const pool = pools.get(address);
    if (pool) servePooled(ws, pool, address, counts);
    else pipe(ws, connect(address), []);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const address = wss.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    stats: () => ({
      sessions: counts.sessions,
      roundTrips: counts.roundTrips,
      // Without a pool every session is a server connection of its own.
      serverConnections:
        [...pools.values()].reduce((n, p) => n + p.opened, 0) + (pools.size ? 0 : counts.sessions),
    }),
    close: async () => {
      await new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      });
      // The server's connections go too, so that a benchmark can drop its database right after.
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}

function connect(address: string): Socket {
  const [host, port] = address.split(":");
  const tcp = createConnection({ host, port: Number(port) });
  tcp.setNoDelay(true);
  return tcp;
}

/** One WebSocket, one TCP connection, bytes both ways; `first` goes out before the client's next bytes. */
function pipe(ws: WebSocket, tcp: Socket, first: Buffer[]): void {
  const pending = [...first];
  let connected = !tcp.connecting;
  const flush = () => {
    connected = true;
    for (const chunk of pending) tcp.write(chunk);
    pending.length = 0;
  };
  if (connected) flush();
  else tcp.on("connect", flush);
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
}

/**
 * A WebSocket served from the pool: its start-up is answered with a warm connection's greeting, then
 * messages flow both ways. When the client leaves (Terminate, or the WebSocket closes) with the
 * connection idle — every Sync and Query answered, outside a transaction — the connection goes back to
 * the pool; otherwise it is closed, as the server would have done.
 */
function servePooled(ws: WebSocket, pool: ServerPool, address: string, counts: { roundTrips: number }): void {
  let head = Buffer.alloc(0);
  let queued: Buffer[] = [];
  let onClient: ((data: Buffer) => void) | null = null;
  let left = false;

  const start = () => {
    const first = takeUntyped(head);
    if (!first) return;
    const code = first.message.length >= 8 ? first.message.readInt32BE(4) : 0;
    if (code === SSL_REQUEST) {
      ws.send(Buffer.from("N")); // no TLS on the local path; the client goes on in the clear
      head = Buffer.from(first.rest);
      return start();
    }
    ws.off("message", onStartup);
    if (code !== PROTOCOL_3) return pipe(ws, connect(address), [head]); // e.g. a CancelRequest
    queued = first.rest.length ? [Buffer.from(first.rest)] : [];
    ws.on("message", (data: Buffer) => (onClient ? onClient(data) : queued.push(data)));
    pool.acquire(Buffer.from(first.message)).then(
      (got) => {
        if (got.kind === "raw") {
          if (left) return void got.socket.destroy();
          ws.send(got.received);
          ws.removeAllListeners("message");
          return pipe(ws, got.socket, queued);
        }
        if (left) return pool.release(got.connection);
        ws.send(got.connection.greeting);
        onClient = attach(ws, pool, got.connection, counts);
        for (const data of queued) onClient(data);
        queued = [];
      },
      () => ws.close(1011, "database unavailable"),
    );
  };
  const onStartup = (data: Buffer) => {
    head = Buffer.concat([head, data]);
    start();
  };
  ws.on("message", onStartup);
  ws.on("close", () => {
    left = true;
  });
  ws.on("error", () => ws.terminate());
}

/** Client ↔ server for one session; returns the handler for the client's bytes. */
function attach(
  ws: WebSocket,
  pool: ServerPool,
  connection: ServerConnection,
  counts: { roundTrips: number },
): (data: Buffer) => void {
  const { socket } = connection;
  const fromClient = new MessageSplitter();
  const fromServer = new MessageSplitter();
  let awaiting = 0; // Syncs and Queries sent whose ReadyForQuery has not come back
  let unsynced = false; // extended-protocol messages sent since the last Sync
  let status = 0x49; // the last ReadyForQuery's transaction status: 'I' idle
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    socket.off("data", onServer);
    socket.off("close", onServerClose);
    const idle =
      awaiting === 0 &&
      !unsynced &&
      status === 0x49 &&
      !fromServer.rest().length &&
      !fromClient.rest().length;
    if (idle && !socket.destroyed) pool.release(connection);
    else socket.destroy();
    if (ws.readyState === ws.OPEN) ws.close();
  };
  const onServer = (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk);
    for (const m of fromServer.push(chunk)) {
      if (m.type !== "Z") continue;
      awaiting = Math.max(0, awaiting - 1);
      status = m.bytes[5] as number;
    }
  };
  const onServerClose = () => {
    ended = true;
    if (ws.readyState === ws.OPEN) ws.close();
  };
  socket.on("data", onServer);
  socket.on("close", onServerClose);
  ws.on("close", end);
  return (data: Buffer) => {
    if (ended) return;
    const out: Buffer[] = [];
    for (const m of fromClient.push(data)) {
      if (m.type === "X") {
        if (out.length) socket.write(Buffer.concat(out));
        return end();
      }
      if (m.type === "S" || m.type === "Q") {
        awaiting++;
        counts.roundTrips++;
        unsynced = false;
      } else if (!"dcf".includes(m.type)) unsynced = true; // COPY data belongs to its Query
      out.push(m.bytes);
    }
    if (out.length) socket.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  };
}
