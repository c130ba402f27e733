import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/**
 * The pages benchmark's floor: a plain Node server on 127.0.0.1 that answers each route with the
 * document the dashboard rendered for it (captured once) and the build's static assets from disk,
 * nothing else (any other request is a 404 at once). Loading a route from here is the browser's own
 * work on this machine for the same bytes: parsing, the asset requests, hydration. No server rendering,
 * no API calls, no wrangler.
 */
export async function startStaticPages(
  documents: Map<string, string>,
  clientDir: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const root = normalize(clientDir);
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const document = documents.get(path);
    if (document !== undefined) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(document);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !TYPES[extname(file)]) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("static pages: no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
