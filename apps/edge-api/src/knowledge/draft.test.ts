import { describe, expect, it } from "vitest";
import { partialDraft } from "./draft.js";

describe("a draft's arguments while they stream", () => {
  it("reads the citations once complete and the text so far, escapes included", () => {
    expect(partialDraft('{"citations":["a","b"')).toEqual({ citations: null, text: "", done: false });
    expect(partialDraft('{"citations":["a"],"text":"We open \\"early\\". We cl')).toEqual({
      citations: ["a"],
      text: 'We open "early". We cl',
      done: false,
    });
    expect(partialDraft('{"citations":["a"],"text":"Caf\\u00e9 at 9.\\nDone."}')).toEqual({
      citations: ["a"],
      text: "Café at 9.\nDone.",
      done: true,
    });
  });

  it("knows no citations when the text came first (nothing can be grounded early)", () => {
    expect(partialDraft('{"text":"We open at 9.","citations":["a"]}').citations).toBeNull();
    // A half-written escape is not read as text yet.
    expect(partialDraft('{"citations":["a"],"text":"a\\').text).toBe("a");
  });
});
