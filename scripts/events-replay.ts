// `npm run events:replay`: re-enqueues a tenant's dead-lettered events (those that exhausted their
// queue retries) through the API, 100 at a time, until none remain. Safe to repeat: ingest dedupes by
// event id. Needs AUTOPILOT_API_KEY (an admin key of the tenant); API_URL defaults to the local worker.
import { runMain } from "./lib/run-main.js";

const apiUrl = process.env.API_URL ?? "http://127.0.0.1:8787";
const apiKey = process.env.AUTOPILOT_API_KEY;

async function main(): Promise<number> {
  if (!apiKey) {
    console.error("set AUTOPILOT_API_KEY to an admin API key of the tenant whose dead letters to replay");
    return 2;
  }
  let total = 0;
  // Bounded: at most 1,000 rounds of 100.
  for (let round = 0; round < 1000; round++) {
    const res = await fetch(`${apiUrl}/v1/analytics/dead-letters/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ limit: 100 }),
    });
    const body = (await res.json()) as { replayed?: number; remaining?: number; error?: { message: string } };
    if (!res.ok) {
      console.error(`replay failed: ${res.status} ${body.error?.message ?? ""}`);
      return 1;
    }
    total += body.replayed ?? 0;
    if (!body.replayed || body.remaining === 0) break;
  }
  console.log(`replayed ${total} dead-lettered events`);
  return 0;
}

runMain(main);
