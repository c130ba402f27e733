import type { Config } from "@react-router/dev/config";

// Server-rendered on Workers: `react-router build` writes build/client (static assets, served by the
// Workers assets binding) and build/server (imported by worker/index.ts, bundled by wrangler).
export default { ssr: true, appDirectory: "app", buildDirectory: "build" } satisfies Config;
