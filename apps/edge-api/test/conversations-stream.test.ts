// Streamed answers (issue 18, item 5): with a model, the widget's socket shows a drafted answer as it
// is written — but only sentences already grounded in the chunks the draft cites. An invented sentence
// in the middle of the draft is never shown, not even for a moment; the stored answer ends the draft.
import { describe, expect, it } from "vitest";
import { fakeCalls, startConversation, tenantWithWidget, useFakeOpenAi } from "./conversation-helpers.js";
import { call } from "./helpers.js";
import { openSocket } from "./live-socket.js";

describe("streamed answers", () => {
  it("shows the grounded sentences of a draft as they arrive, never an ungrounded one", async () => {
    const t = await tenantWithWidget([]);
    const faq = await call("/v1/knowledge/sources", {
      headers: t.auth,
      body: {
        kind: "faq",
        name: "FAQ",
        pairs: [
          {
            question: "What are your opening hours?",
            answer: "We open at 9 on weekdays. We close at 5 on Fridays.",
          },
        ],
      },
    });
    expect(faq.status).toBe(201);
    await useFakeOpenAi(t, "fake-stream");
    const c = await startConversation(t);
    const ws = await openSocket(`/v1/widget/conversations/${c.id}/ws?token=${encodeURIComponent(c.token)}`);
    await ws.next((f) => f.type === "status");
    const from = ws.frames.length;
    const before = await fakeCalls("fake-stream", "streamed");
    ws.send({ type: "message", text: "What are your opening hours?" });
    const answer = await ws.next((f) => f.type === "message" && f.message?.data.kind === "answer", {
      from,
      timeoutMs: 10_000,
    });
    expect(await fakeCalls("fake-stream", "streamed")).toBe(before + 1);
    const live = ws.frames.slice(from);
    const drafts = live.filter((f) => f.type === "draft").map((f) => f.text ?? "");
    // First the first sentence alone (the invented one after it is dropped), then both true ones.
    expect(drafts).toEqual([
      "We open at 9 on weekdays.",
      "We open at 9 on weekdays. We close at 5 on Fridays.",
    ]);
    for (const d of drafts) expect(d).not.toMatch(/discount/);
    expect(answer.message?.text).toBe(drafts.at(-1));
    expect(live.findIndex((f) => f.type === "draft")).toBeLessThan(live.indexOf(answer));
    ws.close();
  });

  it("shows nothing early when the model writes the text before its citations", async () => {
    const t = await tenantWithWidget([]);
    await call("/v1/knowledge/sources", {
      headers: t.auth,
      body: {
        kind: "faq",
        name: "FAQ",
        pairs: [{ question: "What are your opening hours?", answer: "We open at 9 on weekdays." }],
      },
    });
    await useFakeOpenAi(t, "fake-ok");
    const c = await startConversation(t);
    const ws = await openSocket(`/v1/widget/conversations/${c.id}/ws?token=${encodeURIComponent(c.token)}`);
    await ws.next((f) => f.type === "status");
    const from = ws.frames.length;
    ws.send({ type: "message", text: "What are your opening hours?" });
    const answer = await ws.next((f) => f.type === "message" && f.message?.data.kind === "answer", { from });
    expect(answer.message?.text).toBe("We open at 9 on weekdays.");
    expect(ws.frames.slice(from).some((f) => f.type === "draft")).toBe(false);
    ws.close();
  });
});
