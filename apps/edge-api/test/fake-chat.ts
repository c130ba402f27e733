import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// A chat tool's incoming webhook (Slack's wire: POST JSON {text}, answers "ok"), for plugins' tests.
// GET /received lists what was posted, so tests in workerd can look; POST /fail-next makes the next
// post answer 500.

export async function startFakeChat(): Promise<{ url: string; close: () => Promise<void> }> {
  const received: { path: string; body: unknown }[] = [];
  let failNext = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/received") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(received));
      }
      if (req.method === "POST" && req.url === "/fail-next") {
        failNext = Number(body) || 1;
        return res.end("ok");
      }
      if (failNext > 0) {
        failNext--;
        res.writeHead(500);
        return res.end("temporarily down");
      }
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400);
        return res.end("invalid_payload");
      }
      received.push({ path: req.url ?? "", body: parsed });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
