// A local fake of Cloudflare's Workers AI binding (env.AI.run), as an auxiliary worker the tests bind
// as AI through an RPC entrypoint — the same call shape as the real binding. It checks its input as
// Workers AI does (a known model, messages or text of the right types) and answers in Workers AI's
// shapes: { response, tool_calls: [{ name, arguments: object }], usage } for text generation and
// { shape, data } for embeddings. Test markers in the customer's message: "[invent]" adds a sentence
// with a price no chunk states (the grounding must drop it), "[string-args]" sends arguments as a JSON
// string (some models do), "[fail]" throws like an overloaded model.
import { WorkerEntrypoint } from "cloudflare:workers";

const TEXT_MODELS = new Set([
  "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "@hf/nousresearch/hermes-2-pro-mistral-7b",
]);
const EMBEDDING_MODELS = new Set(["@cf/baai/bge-base-en-v1.5"]);
const DIMENSIONS = 16;

function invalid(message) {
  return new Error(`AiError: 5006: ${message}`);
}

/** Deterministic bag-of-words vectors: texts sharing words point the same way. */
function vector(text) {
  const v = new Array(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 0;
    for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % DIMENSIONS] += 1;
  }
  return v;
}

export class FakeWorkersAi extends WorkerEntrypoint {
  async run(model, inputs) {
    if (typeof model !== "string" || !inputs || typeof inputs !== "object") throw invalid("bad arguments");
    if (EMBEDDING_MODELS.has(model)) {
      const texts = inputs.text;
      if (
        !Array.isArray(texts) ||
        texts.length === 0 ||
        texts.length > 100 ||
        !texts.every((t) => typeof t === "string")
      )
        throw invalid("text must be 1 to 100 strings");
      return { shape: [texts.length, DIMENSIONS], data: texts.map(vector) };
    }
    if (!TEXT_MODELS.has(model)) throw new Error(`AiError: 5007: No such model ${model}`);
    const messages = inputs.messages;
    if (
      !Array.isArray(messages) ||
      !messages.every((m) => typeof m?.role === "string" && typeof m?.content === "string")
    )
      throw invalid("messages must be { role, content } objects");
    const tools = inputs.tools ?? [];
    if (
      !Array.isArray(tools) ||
      !tools.every((t) => typeof t?.name === "string" && typeof t?.parameters === "object")
    )
      throw invalid("tools must be { name, description, parameters } objects");
    const user = messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
    if (user.includes("[fail]")) throw new Error("AiError: 3040: Capacity temporarily exceeded");
    const usage = { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 };
    const draft = tools.find((t) => t.name === "answer_with_citations");
    if (!draft) return { response: "OK", usage };
    const context = messages.map((m) => m.content).join("\n");
    const chunk = /<chunk id="([^"]+)"[^>]*>\n[^\n]*\n([^\n]+)/.exec(context);
    if (!chunk) return { response: "I cannot answer that from the context.", usage };
    const first = chunk[2].match(/[^.!?]+[.!?]/)?.[0]?.trim() ?? chunk[2];
    const text = user.includes("[invent]") ? `${first} It also comes with a free gift worth $12.` : first;
    const args = { text, citations: [chunk[1]] };
    return {
      response: null,
      tool_calls: [
        { name: draft.name, arguments: user.includes("[string-args]") ? JSON.stringify(args) : args },
      ],
      usage,
    };
  }
}

export default { fetch: () => new Response("fake Workers AI: use the AI binding", { status: 404 }) };
