import { parseArgs } from "node:util";
import { composeEmail } from "./compose-email.js";

// `npm run email:send -- --to <workspace address> "text"`: plays a customer writing to a workspace's
// inbound address on `npm start`. The mail goes to the worker's Email Worker handler the way
// Cloudflare's Email Routing would hand it over (wrangler's /cdn-cgi/handler/email).

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    to: { type: "string" },
    from: { type: "string", default: "ada@customer.test" },
    name: { type: "string", default: "Ada Lovelace" },
    subject: { type: "string", default: "A question" },
    "in-reply-to": { type: "string" },
    api: { type: "string", default: process.env.API_URL ?? "http://127.0.0.1:8787" },
  },
});
const text = positionals.join(" ").trim();
if (!values.to || !text) {
  console.error(
    'usage: npm run email:send -- --to <address> [--from a@b] [--subject s] [--in-reply-to "<id>"] "text"',
  );
  process.exit(2);
}
const replyTo = values["in-reply-to"];
const { raw, messageId } = composeEmail({
  from: values.from,
  fromName: values.name,
  to: values.to,
  subject: values.subject,
  text,
  ...(replyTo ? { inReplyTo: replyTo, references: [replyTo] } : {}),
});
const url = new URL("/cdn-cgi/handler/email", values.api);
url.searchParams.set("from", values.from);
url.searchParams.set("to", values.to);
const res = await fetch(url, { method: "POST", body: raw });
const answer = (await res.text()).trim();
if (!res.ok) {
  console.error(`refused (${res.status}): ${answer}`);
  process.exit(1);
}
console.log(`sent ${messageId} to ${values.to}${answer ? ` (${answer})` : ""}`);
