import { DurableObject } from "cloudflare:workers";
import type { InsertedEvent } from "../ingest.js";
import { applyEvents, emptyState, figuresOf, type LiveFigures, type LiveState } from "./state.js";

const KEY = "state";

/**
 * One object per tenant: the live figures (active conversations, waiting for a human, leads today,
 * median first response today in the tenant's time zone), fed by the queue consumer after each commit
 * and pushed to dashboards over WebSockets. Uses the Hibernation API (ctx.acceptWebSocket), so idle
 * dashboards cost nothing; state is in the object's storage so eviction loses nothing.
 */
export class LiveStats extends DurableObject {
  private state: LiveState | undefined;

  private async load(timeZone: string): Promise<LiveState> {
    this.state ??= (await this.ctx.storage.get<LiveState>(KEY)) ?? emptyState(timeZone, new Date());
    return this.state;
  }

  /** RPC from the consumer: events just committed (inserted rows only). */
  async apply(events: InsertedEvent[], timeZone: string): Promise<LiveFigures> {
    const now = new Date();
    const next = applyEvents(await this.load(timeZone), events, timeZone, now);
    this.state = next;
    await this.ctx.storage.put(KEY, next);
    const figures = figuresOf(next, now);
    const message = JSON.stringify({ type: "figures", figures });
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message);
      } catch {
        // A socket closing under us; its close handler cleans up.
      }
    }
    return figures;
  }

  async figures(timeZone: string): Promise<LiveFigures> {
    return figuresOf(await this.load(timeZone), new Date());
  }

  /** The dashboard's WebSocket (the worker has authenticated the caller and passes the time zone). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const timeZone = request.headers.get("x-tenant-time-zone") ?? "UTC";
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ timeZone });
    server.send(JSON.stringify({ type: "figures", figures: await this.figures(timeZone) }));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients may ask for a fresh snapshot (e.g. after the local day turned); anything else is ignored.
    if (message === "ping") return ws.send("pong");
    const { timeZone } = (ws.deserializeAttachment() as { timeZone?: string } | null) ?? {};
    ws.send(JSON.stringify({ type: "figures", figures: await this.figures(timeZone ?? "UTC") }));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // 1005/1006 mean "no code" and may not be sent back; answer with a normal closure then.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}
