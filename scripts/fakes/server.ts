import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

// The HTTP part every fake provider shares: the whole body read, one handler's answer sent, on
// 127.0.0.1 only.

export type FakeRequest = { method: string; url: URL; headers: IncomingHttpHeaders; body: string };
/** JSON (`json`) or plain text (`text`) with a status. */
export type FakeAnswer = { status: number; json?: unknown; text?: string; headers?: Record<string, string> };

export async function startFakeServer(
  port: number,
  handle: (request: FakeRequest) => FakeAnswer,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const answer = handle({
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://fake"),
        headers: req.headers,
        body,
      });
      if (answer.json !== undefined) {
        res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json" });
        res.end(JSON.stringify(answer.json));
      } else {
        res.writeHead(answer.status, { ...answer.headers, "content-type": "text/plain" });
        res.end(answer.text ?? "");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(body: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
