import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// The server build keeps its npm imports external: wrangler bundles build/server with the workerd
// export conditions (react-dom/server → its edge build with renderToReadableStream).
export default defineConfig({ plugins: [reactRouter()], build: { assetsInlineLimit: 0 } });
