import { describe, expect, it } from "vitest";
import { stripQuoted } from "./quoted.js";

describe("stripQuoted", () => {
  it("keeps the new text above Gmail's quote", () => {
    const text = [
      "Yes, Tuesday works.",
      "",
      "On Fri, Dec 4, 2026 at 10:02 AM Acme Support <support@acme.test> wrote:",
      "> Would Tuesday suit you?",
      ">",
      "> Best, Acme",
    ].join("\r\n");
    expect(stripQuoted(text)).toBe("Yes, Tuesday works.");
  });

  it("finds an 'On … wrote:' line that the program wrapped in two", () => {
    const text = "Thanks!\n\nOn Fri, Dec 4, 2026 at 10:02 AM Acme Support <\nsupport@acme.test> wrote:\n> hi";
    expect(stripQuoted(text)).toBe("Thanks!");
  });

  it("cuts Outlook's header block and the signature", () => {
    const outlook = [
      "Please call me tomorrow.",
      "-- ",
      "Ada Lovelace",
      "CEO, Engines Ltd",
      "________________________________",
      "From: Acme Support <support@acme.test>",
      "Sent: Friday, December 4, 2026 10:02",
      "To: Ada <ada@engines.test>",
      "Subject: Re: Pricing",
      "",
      "Would Tuesday suit you?",
    ].join("\n");
    expect(stripQuoted(outlook)).toBe("Please call me tomorrow.");
  });

  it("does not cut a sentence that merely starts with From:", () => {
    expect(stripQuoted("From: next week on, we need 40 seats.\nCan you quote?")).toBe(
      "From: next week on, we need 40 seats.\nCan you quote?",
    );
  });

  it("handles French and German quote lines", () => {
    expect(stripQuoted("Merci !\n\nLe ven. 4 déc. 2026 à 10:02, Acme <s@acme.test> a écrit :\n> x")).toBe(
      "Merci !",
    );
    expect(stripQuoted("Danke!\n\nAm Fr., 4. Dez. 2026 um 10:02 Uhr schrieb Acme <s@acme.test>:\n> x")).toBe(
      "Danke!",
    );
  });

  it("keeps a message that is nothing but a quote rather than lose it", () => {
    expect(stripQuoted("> only quoted\n> lines")).toBe("> only quoted\n> lines");
  });
});
