import { createConnection, type Socket } from "node:net";
import { MessageSplitter, queryMessage, type WireMessage } from "./wire.js";

// Warm server connections for the bridge, as Neon's pooler (PgBouncer) and Hyperdrive keep them in
// production: a Worker opens a connection per request, and a PostgreSQL backend forked per request
// starts with cold catalog caches and no cached plans, which a burst of requests pays for many times
// over. Session pooling: a connection serves one client from its start-up until it says goodbye, then
// is reset and waits for the next client with the same start-up parameters.

/**
 * What a returned connection forgets: the session state a client can leave behind (settings, role,
 * advisory locks, cursors, LISTEN, prepared statements, temp tables). Not DISCARD ALL: its DISCARD
 * PLANS would throw away the cached plans (PL/pgSQL functions' too) that make a warm backend worth
 * keeping, and which production's transaction-mode poolers keep as well.
 */
const RESET_SQL =
  "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *; " +
  "SELECT pg_advisory_unlock_all(); DEALLOCATE ALL; DISCARD TEMP; DISCARD SEQUENCES";

const HANDSHAKE_TIMEOUT_MS = 10_000;

export type ServerConnection = {
  socket: Socket;
  /** The server's answer to the start-up (AuthenticationOk … ReadyForQuery), replayed to each client. */
  greeting: Buffer;
  key: string;
  timer?: NodeJS.Timeout;
};

/** A connection from `acquire`: pooled, or raw (the server wants a password, or refused the start-up). */
export type Acquired =
  | { kind: "pooled"; connection: ServerConnection }
  | { kind: "raw"; socket: Socket; received: Buffer };

export class ServerPool {
  private readonly idle = new Map<string, ServerConnection[]>();
  private readonly sockets = new Set<Socket>();
  private closed = false;
  /** Server connections opened so far. */
  opened = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly limits = { idlePerKey: 64, idleMs: 10_000 },
  ) {}

  /** A ready connection for this start-up message: an idle one with the same parameters, or a new one. */
  async acquire(startup: Buffer): Promise<Acquired> {
    const key = startup.toString("base64");
    const warm = this.idle.get(key)?.pop();
    if (warm) {
      clearTimeout(warm.timer);
      return { kind: "pooled", connection: warm };
    }
    return this.connect(startup, key);
  }

  /**
   * Takes a connection back from a client that ended cleanly (idle, outside a transaction): resets it
   * and keeps it for the next client, or closes it if the reset fails or enough are idle already.
   */
  release(connection: ServerConnection): void {
    const { socket } = connection;
    if (this.closed) return void socket.destroy();
    const splitter = new MessageSplitter();
    let failed = false;
    const onData = (chunk: Buffer) => {
      for (const m of splitter.push(chunk)) {
        if (m.type === "E") failed = true;
        if (m.type !== "Z") continue;
        socket.off("data", onData);
        if (failed || m.bytes[5] !== 0x49 /* 'I' */) return void socket.destroy();
        this.keepIdle(connection);
      }
    };
    socket.on("data", onData);
    socket.write(queryMessage(RESET_SQL));
  }

  /** Closes every connection, idle or in use, and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = [...this.sockets].map(
      (s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once("close", () => resolve()))),
    );
    for (const list of this.idle.values()) for (const c of list) clearTimeout(c.timer);
    this.idle.clear();
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
  }

  private keepIdle(connection: ServerConnection): void {
    const list = this.idle.get(connection.key) ?? [];
    if (this.closed || list.length >= this.limits.idlePerKey) return void connection.socket.destroy();
    connection.timer = setTimeout(() => {
      const at = list.indexOf(connection);
      if (at >= 0) list.splice(at, 1);
      connection.socket.destroy();
    }, this.limits.idleMs);
    connection.timer.unref();
    list.push(connection);
    this.idle.set(connection.key, list);
  }

  private connect(startup: Buffer, key: string): Promise<Acquired> {
    if (this.closed) return Promise.reject(new Error("bridge closed"));
    this.opened++;
    const socket = createConnection({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on("close", () => {
      this.sockets.delete(socket);
      for (const list of this.idle.values()) {
        const at = list.findIndex((c) => c.socket === socket);
        if (at >= 0) clearTimeout(list.splice(at, 1)[0]?.timer);
      }
    });
    // Errors end in "close"; whoever holds the socket hears of it there.
    socket.on("error", () => {});
    return new Promise<Acquired>((resolve, reject) => {
      const splitter = new MessageSplitter();
      const received: Buffer[] = [];
      const done = (result: Acquired | Error) => {
        clearTimeout(timer);
        socket.off("data", onData);
        socket.off("close", onClose);
        if (result instanceof Error) {
          socket.destroy();
          reject(result);
        } else resolve(result);
      };
      const raw = () => done({ kind: "raw", socket, received: Buffer.concat(received) });
      const onData = (chunk: Buffer) => {
        received.push(chunk);
        for (const m of splitter.push(chunk)) {
          if (isAuthenticationRequest(m) || m.type === "E") return raw();
          if (m.type === "Z") {
            const greeting = Buffer.concat(received);
            if (splitter.rest().length) return raw(); // the server said more than a greeting
            return done({ kind: "pooled", connection: { socket, greeting, key } });
          }
        }
      };
      const onClose = () => done(new Error("server closed the connection during start-up"));
      const timer = setTimeout(() => done(new Error("server start-up timed out")), HANDSHAKE_TIMEOUT_MS);
      socket.on("data", onData);
      socket.once("close", onClose);
      socket.write(startup);
    });
  }
}

/** An 'R' message other than AuthenticationOk: the server wants a password, which only the client has. */
const isAuthenticationRequest = (m: WireMessage) => m.type === "R" && m.bytes.readInt32BE(5) !== 0;
