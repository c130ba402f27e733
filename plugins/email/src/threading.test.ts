import { describe, expect, it } from "vitest";
import { isOurs, referencesAfter, replyMessageId, replySubject, rootOf, threadIdOf } from "./threading.js";

const mail = (messageId: string, inReplyTo: string | null = null, references: string[] = []) => ({
  messageId,
  inReplyTo,
  references,
});

describe("email threads", () => {
  it("starts a thread at a message that answers nothing", () => {
    expect(rootOf(mail("<a@customer.test>"))).toBe("<a@customer.test>");
  });

  it("puts a reply in the thread of the first message it references", () => {
    expect(rootOf(mail("<c@x>", "<b@x>", ["<a@x>", "<b@x>"]))).toBe("<a@x>");
    // Only In-Reply-To (some programs write no References).
    expect(rootOf(mail("<b@x>", "<a@x>"))).toBe("<a@x>");
  });

  it("finds the thread in our own reply's Message-ID when the program kept only that", () => {
    const ours = replyMessageId("3f2a-uuid", "<first@customer.test>", "acme.test");
    expect(isOurs(ours)).toBe(true);
    expect(ours).toMatch(/^<ap\.3f2a-uuid\.[A-Za-z0-9_-]+@acme\.test>$/);
    expect(rootOf(mail("<d@customer.test>", ours))).toBe("<first@customer.test>");
    // The same reply always gets the same Message-ID (a retry is not a new mail).
    expect(replyMessageId("3f2a-uuid", "<first@customer.test>", "acme.test")).toBe(ours);
  });

  it("does not take a foreign id that only looks like ours", () => {
    expect(rootOf(mail("<e@x>", "<ap.x.%%%@evil.test>"))).toBe("<ap.x.%%%@evil.test>");
    expect(isOurs("<a@customer.test>")).toBe(false);
  });

  it("keeps each customer's conversation their own, even on a thread's known ids", () => {
    const from = (address: string) => ({ ...mail("<x@y>", "<a@x>", ["<a@x>"]), from: { address } });
    expect(threadIdOf(from("ada@customer.test"))).toBe("ada@customer.test <a@x>");
    expect(threadIdOf(from("mallory@evil.test"))).toBe("mallory@evil.test <a@x>");
  });

  it("answers with one Re:", () => {
    expect(replySubject("Pricing")).toBe("Re: Pricing");
    expect(replySubject("RE: Re: AW: Pricing")).toBe("Re: Pricing");
    expect(replySubject("")).toBe("Re: Your message");
  });

  it("keeps References short: the first and the latest", () => {
    const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`);
    const after = referencesAfter(refs, "<new@x>");
    expect(after).toHaveLength(20);
    expect(after[0]).toBe("<r0@x>");
    expect(after.at(-1)).toBe("<new@x>");
    expect(referencesAfter(["<a@x>"], "<b@x>")).toEqual(["<a@x>", "<b@x>"]);
  });
});
