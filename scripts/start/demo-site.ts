import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// The demo company's own web page, served on 127.0.0.1 with the chat widget's one <script> tag, so a
// local trial can chat as a customer would (DEMO_SITE_PORT, default 8790; 0 picks a free port).

const page = (apiUrl: string, widgetKey: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Company: standing desks and chairs</title>
<style>
body { font: 16px/1.5 Georgia, serif; margin: 0; color: #1f2933; background: #fbfaf7; }
header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
header { border-bottom: 1px solid #e4e0d8; }
h1 { margin: 0; font-size: 1.8rem; }
.products { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; padding: 0; }
.products li { list-style: none; background: #fff; border: 1px solid #e4e0d8; border-radius: 8px; padding: 1rem; }
</style>
</head>
<body>
<header><h1>Demo Company</h1><p>Standing desks and chairs that last, delivered to your door.</p></header>
<main>
<h2>Our products</h2>
<ul class="products">
<li><strong>LiftDesk Pro</strong><br>Dual-motor standing desk, from $649.</li>
<li><strong>LiftDesk Mini</strong><br>For small rooms, from $399.</li>
<li><strong>FlexSeat</strong><br>Ergonomic chair, $499.</li>
</ul>
<p>Questions about delivery, returns, financing or an office quote? Use the chat in the corner.</p>
</main>
<footer><small>This page is served by <code>npm start</code> to try the chat widget as a customer.</small></footer>
<script src="${apiUrl}/widget.js" data-key="${widgetKey}" async></script>
</body>
</html>
`;

export async function startDemoSite(
  apiUrl: string,
  widgetKey: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const html = page(apiUrl, widgetKey);
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url?.startsWith("/?")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    } else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
