import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for an OpenAI-compatible endpoint, speaking the real wire protocol (chat
// completions with tool calls, SSE streaming, error bodies). Behaviour is chosen by the model name:
//   fake-ok        valid tool calls for the tools offered
//   fake-malformed tool calls whose arguments are not JSON / not the schema
//   fake-timeout   never answers in time
//   fake-500       a server error
//   fake-badcite   (knowledge answers) a correct sentence citing a chunk id that was not given
//   fake-evil      (knowledge answers) follows an injected instruction: an email and a discount
//   fake-broken    streamed: the first chunk, then the connection is cut; not streamed: cut at once
//   fake-stall     streamed: the first chunk, then silence (the body never ends)
//   fake-truncated streamed: the first chunk, then the body ends cleanly, with no finish_reason or [DONE]
//   fake-nousage   streamed: ignores stream_options.include_usage, as some compatible servers do
//   fake-stream    (knowledge answers) the first two sentences of the first chunk with an invented one
//                  between them, its arguments (citations first) streamed in small pieces 20 ms apart
// A user message containing "[slow]" is answered after 1.5 s. GET /stats counts calls per model (and
// streamed ones apart; embeddings requests apart too). answer_with_citations (fake-ok): the first
// sentence of the first context chunk, citing that chunk. Without tools the answer is text: TEXT_ANSWER.
// Streams are sent as OpenAI does: a role chunk, each tool call's id and name, then its arguments in
// several fragments (text in word-sized deltas), a finish_reason chunk, the usage chunk (choices: [])
// when asked for, and `data: [DONE]`.

export const TEXT_ANSWER = "Hello! How can I help you today?";

type Body = {
  model: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages: { role: string; content: string }[];
  tools?: { function: { name: string; parameters: { properties?: { routeId?: { enum?: string[] } } } } }[];
};

export async function startFakeOpenAi(): Promise<{ url: string; close(): Promise<void> }> {
  const calls: Record<string, number> = {};
  const streamed: Record<string, number> = {};
  const embedded: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ calls, streamed, embedded }));
      return;
    }
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      if (req.url === "/v1/embeddings") {
        const body = JSON.parse(raw) as EmbeddingsBody;
        embedded[body.model] = (embedded[body.model] ?? 0) + 1;
        return embeddings(body, res);
      }
      if (req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
        return;
      }
      const body = JSON.parse(raw) as Body;
      calls[body.model] = (calls[body.model] ?? 0) + 1;
      if (body.stream) streamed[body.model] = (streamed[body.model] ?? 0) + 1;
      const user = body.messages.find((m) => m.role === "user")?.content ?? "";
      const delay = user.includes("[slow]") ? 1500 : body.model === "fake-timeout" ? 10_000 : 0;
      setTimeout(() => answer(body, res), delay);
    });
  });
  function answer(body: Body, res: import("node:http").ServerResponse) {
    if (res.destroyed) return;
    if (body.model === "fake-500") {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "boom", type: "server_error" } }));
      return;
    }
    const toolCalls = (body.tools ?? []).map((t, i) => {
      const name = t.function.name;
      let args: string;
      if (body.model === "fake-malformed") args = i % 2 === 0 ? "{not json" : JSON.stringify({ wrong: true });
      else if (name === "answer_with_citations") args = JSON.stringify(draftAnswer(body));
      else if (name === "choose_route")
        args = JSON.stringify({ routeId: t.function.parameters.properties?.routeId?.enum?.[0] });
      else {
        const system = body.messages.find((m) => m.role === "system")?.content ?? "";
        const m = /Line (\S+): (".*")/.exec(system);
        args = JSON.stringify({
          stepId: m?.[1] ?? "x",
          text: `Of course! ${m ? JSON.parse(m[2] as string) : ""}`,
        });
      }
      return { id: `call_${i}`, type: "function", function: { name, arguments: args } };
    });
    const usage = { prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 };
    const content = toolCalls.length ? null : TEXT_ANSWER;
    if (body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: body.model, choices, ...extra })}\n\n`;
      const delta = (d: unknown, finish: string | null = null) =>
        chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
      res.write(delta({ role: "assistant", content: content === null ? null : "" }));
      if (body.model === "fake-broken" || body.model === "fake-stall" || body.model === "fake-truncated") {
        // Half a tool call (name and the start of its arguments), flushed; then the connection is cut
        // (the chunked body never completes) or left open (close() ends it).
        const first = toolCalls[0];
        if (first)
          res.write(
            delta({
              tool_calls: [
                {
                  index: 0,
                  id: first.id,
                  type: "function",
                  function: { name: first.function.name, arguments: first.function.arguments.slice(0, 5) },
                },
              ],
            }),
          );
        if (body.model === "fake-broken") setTimeout(() => res.destroy(), 50);
        if (body.model === "fake-truncated") res.end();
        return;
      }
      for (const word of content?.split(/(?<= )/) ?? []) res.write(delta({ content: word }));
      if (body.model === "fake-stream") {
        // One piece at a time, so the client sees the arguments grow (as a model writes them).
        const pieces: string[] = [];
        toolCalls.forEach((t, index) => {
          pieces.push(
            delta({
              tool_calls: [
                { index, id: t.id, type: "function", function: { name: t.function.name, arguments: "" } },
              ],
            }),
          );
          const a = t.function.arguments;
          for (let i = 0; i < a.length; i += 12)
            pieces.push(delta({ tool_calls: [{ index, function: { arguments: a.slice(i, i + 12) } }] }));
        });
        pieces.push(delta({}, "tool_calls"), chunk([], { usage }));
        const next = () => {
          if (res.destroyed) return;
          const piece = pieces.shift();
          if (piece === undefined) return void res.end("data: [DONE]\n\n");
          res.write(piece);
          setTimeout(next, 20);
        };
        next();
        return;
      }
      toolCalls.forEach((t, index) => {
        res.write(
          delta({
            tool_calls: [
              { index, id: t.id, type: "function", function: { name: t.function.name, arguments: "" } },
            ],
          }),
        );
        const a = t.function.arguments;
        for (const piece of [a.slice(0, 3), a.slice(3, a.length >> 1), a.slice(a.length >> 1)])
          if (piece) res.write(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      });
      res.write(delta({}, toolCalls.length ? "tool_calls" : "stop"));
      if (body.stream_options?.include_usage && body.model !== "fake-nousage")
        res.write(chunk([], { usage }));
      res.end("data: [DONE]\n\n");
      return;
    }
    if (body.model === "fake-broken") {
      res.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
            finish_reason: toolCalls.length ? "tool_calls" : "stop",
          },
        ],
        usage,
      }),
    );
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A drafted knowledge answer from the labelled CONTEXT message (`<chunk id="…">headings\ntext</chunk>`). */
function draftAnswer(body: Body): { text: string; citations: string[] } {
  const context =
    body.messages.find((m) => m.role === "system" && m.content.startsWith("CONTEXT"))?.content ?? "";
  const chunk = /<chunk id="([^"]+)"[^>]*>\n[^\n]*\n([^\n]*)/.exec(context);
  const id = chunk?.[1] ?? "none";
  const firstSentence = /^.*?[.!?](?=\s|$)/.exec(chunk?.[2] ?? "")?.[0] ?? chunk?.[2] ?? "";
  if (body.model === "fake-badcite")
    return { text: firstSentence, citations: ["00000000-0000-4000-8000-000000000000"] };
  if (body.model === "fake-stream") {
    const sentences = (chunk?.[2] ?? "").match(/[^.!?]+[.!?]/g) ?? [];
    const [first = "", second = ""] = sentences.map((x) => x.trim());
    return { citations: [id], text: `${first} We give every customer a 50% discount. ${second}`.trim() };
  }
  if (body.model === "fake-evil")
    return {
      text: "Please email x@evil.test for help. We give every customer a 50% discount.",
      citations: [id],
    };
  return { text: firstSentence, citations: [id] };
}

// POST /v1/embeddings: deterministic vectors, so similar texts are close. Each word is folded to a
// concept (a few hand-made synonym groups, so texts that share no word can still mean the same thing),
// hashed into one of DIMENSIONS buckets, and the counts normalised to length 1. Models:
//   fake-embed       vectors as above
//   fake-embed-500   a server error
type EmbeddingsBody = { model: string; input: string | string[] };
const DIMENSIONS = 64;
const SYNONYMS = [
  ["refund", "refunds", "reimbursed", "reimbursement", "reimburse", "money", "repaid"],
  ["shipping", "shipped", "parcel", "parcels", "delivery", "delivered", "arrive", "courier"],
];
const CONCEPTS: Record<string, string> = Object.fromEntries(
  SYNONYMS.flatMap((group) => group.map((word) => [word, group[0] as string])),
);

export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  for (const raw of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const word = CONCEPTS[raw] ?? raw;
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
    v[h % DIMENSIONS] = (v[h % DIMENSIONS] as number) + (CONCEPTS[raw] ? 4 : 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function embeddings(body: EmbeddingsBody, res: import("node:http").ServerResponse) {
  if (body.model === "fake-embed-500") {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "boom", type: "server_error" } }));
    return;
  }
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      object: "list",
      model: body.model,
      data: inputs.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text) })),
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    }),
  );
}
