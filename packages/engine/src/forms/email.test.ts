import { describe, expect, it } from "vitest";
import { extractEmail } from "./email.js";

describe("extractEmail", () => {
  it("finds the address in a sentence and lower-cases it", () => {
    expect(extractEmail("my email is Foo@Bar.com.")).toEqual({ ok: true, value: "foo@bar.com" });
    expect(extractEmail("<jane.doe+crm@mail.example.co.uk>")).toEqual({
      ok: true,
      value: "jane.doe+crm@mail.example.co.uk",
    });
  });
  it.each(["foo@bar", "foo@@bar.com", "foo@bar..com", ".foo@bar.com", "foo@-bar.com", "foo@bar.c", "x@"])(
    "rejects %s",
    (bad) => {
      expect(extractEmail(bad).ok).toBe(false);
    },
  );
  it("distinguishes missing from invalid", () => {
    expect(extractEmail("I don't have one")).toEqual({ ok: false, reason: "not_found" });
    expect(extractEmail("foo@bar")).toEqual({ ok: false, reason: "invalid" });
    expect(extractEmail("  ")).toEqual({ ok: false, reason: "empty" });
  });
});
