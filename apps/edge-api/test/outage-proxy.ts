import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Socket } from "node:net";

// A database outage for the fault test: a TCP proxy in front of the database bridge that, when told
// "down", cuts every open connection and refuses new ones, as a stopped database server does; "up"
// lets connections through again. Runs in Node (global setup); the test drives it over HTTP.

export async function startOutageProxy(targetPort: number) {
  let down = false;
  const open = new Set<Socket>();
  const proxy = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    const pair = [client, upstream];
    for (const s of pair) open.add(s);
    const close = () => {
      for (const s of pair) {
        s.destroy();
        open.delete(s);
      }
    };
    for (const s of pair) {
      s.on("error", close);
      s.on("close", close);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const control = createHttpServer((req, res) => {
    if (req.url === "/down") {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    } else if (req.url === "/up") down = false;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ down }));
  });
  const listen = (server: ReturnType<typeof createServer> | ReturnType<typeof createHttpServer>) =>
    new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
  const port = await listen(proxy);
  const controlPort = await listen(control);
  return {
    bridge: `127.0.0.1:${port}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    close: async () => {
      for (const s of open) s.destroy();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => control.close(r))]);
    },
  };
}
