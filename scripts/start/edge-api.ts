import { join } from "node:path";
import { LOCAL_SECRETS } from "../lib/local-secrets.js";
import { drainLocalQueues, resumeCutOffJobs } from "./local-queues.js";
import type { Service } from "./types.js";
import { assertPortFree, startWranglerDev } from "./wrangler-dev.js";

/** The edge-api worker in workerd, through `wrangler dev --local`, wired to the local database. */
export const edgeApi: Service = {
  name: "edge-api",
  async start(stack) {
    const db = stack.database;
    if (!db) throw new Error("edge-api needs the database service first");
    const port = stack.ports.api;
    await assertPortFree(port, "PORT");
    const apiUrl = `http://127.0.0.1:${port}`;
    const worker = await startWranglerDev({
      stack,
      label: "edge-api",
      readyUrl: `${apiUrl}/health`,
      args: [
        "--config",
        join(stack.root, "wrangler.toml"),
        "--local",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--test-scheduled",
        "--show-interactive-dev-session=false",
        "--persist-to",
        join(stack.dataDir, "wrangler-state"),
        "--var",
        `DATABASE_URL:${db.connectionString}`,
        "--var",
        `DB_BRIDGE:127.0.0.1:${db.bridgePort}`,
        // Links in mails (verify, reset, invite) open the dashboard, which serves those screens.
        "--var",
        `APP_URL:http://127.0.0.1:${stack.ports.dashboard}`,
        // Where providers reach the API: the webhook URLs plugins register (Telegram's setWebhook).
        "--var",
        `PUBLIC_API_URL:http://127.0.0.1:${port}`,
        // A local trial may read a website served on this machine; production never sets this, so
        // there the crawler refuses private and loopback addresses.
        "--var",
        "LOCAL_DEVELOPMENT:1",
        // Mail lands in the local outbox (the dashboard's Mail outbox, and this terminal).
        "--var",
        "MAILER:dev-outbox",
        // Platform staff (the marketplace's reviewers): `PLATFORM_OPERATORS=you@example.com npm start`.
        ...(process.env.PLATFORM_OPERATORS
          ? ["--var", `PLATFORM_OPERATORS:${process.env.PLATFORM_OPERATORS}`]
          : []),
        ...Object.entries({ ...LOCAL_SECRETS, ...stack.apiVars }).flatMap(([name, value]) => [
          "--var",
          `${name}:${value}`,
        ]),
      ],
    });
    stack.apiUrl = apiUrl;
    const log = (message: string) => console.log(`[edge-api] ${message}`);
    await resumeCutOffJobs(apiUrl, log);
    return {
      summary: [
        ["API", apiUrl],
        ["API docs", `${apiUrl}/docs`],
        ["OpenAPI", `${apiUrl}/v1/openapi.json`],
        ["Health", `${apiUrl}/health`],
        ["Dev mailbox (API)", `${apiUrl}/v1/dev/mailbox`],
        ["Cron (manual)", `${apiUrl}/__scheduled?cron=*+*+*+*+*`],
      ],
      stop: async () => {
        await drainLocalQueues(apiUrl, log);
        await worker.stop();
      },
    };
  },
};
