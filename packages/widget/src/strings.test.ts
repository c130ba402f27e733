import { describe, expect, it } from "vitest";
import { readableOn } from "./color.js";
import { sourceLinks } from "./links.js";
import { STRINGS, stringsFor } from "./strings.js";

describe("strings", () => {
  it("picks the workspace's language, by its primary subtag, and falls back to English", () => {
    expect(stringsFor("de").strings.send).toBe("Senden");
    expect(stringsFor("de-AT")).toMatchObject({ lang: "de" });
    expect(stringsFor("fr_CA").strings.close).toBe("Fermer la discussion");
    expect(stringsFor("nl")).toMatchObject({ lang: "en", strings: { send: "Send" } });
    expect(stringsFor(undefined).lang).toBe("en");
  });

  it("has every word in every language, none left empty or in English by mistake", () => {
    const keys = Object.keys(STRINGS.en ?? {});
    for (const [lang, table] of Object.entries(STRINGS)) {
      expect(Object.keys(table).sort(), lang).toEqual([...keys].sort());
      for (const [key, value] of Object.entries(table)) {
        const text = typeof value === "function" ? value(2) : value;
        expect(text.trim().length, `${lang}.${key}`).toBeGreaterThan(0);
        if (lang !== "en" && !["message", "sources"].includes(key))
          expect(text, `${lang}.${key}`).not.toBe(
            typeof STRINGS.en?.[key as "send"] === "function" ? "" : STRINGS.en?.[key as "send"],
          );
      }
    }
    expect(STRINGS.en?.unread(1)).toBe("1 unread message");
    expect(STRINGS.en?.unread(3)).toBe("3 unread messages");
  });
});

describe("readableOn", () => {
  it("puts dark text on light brand colours and white on dark ones", () => {
    expect(readableOn("#ffffff")).toBe("#111827");
    expect(readableOn("#fde047")).toBe("#111827");
    expect(readableOn("#2563eb")).toBe("#fff");
    expect(readableOn("#000000")).toBe("#fff");
    expect(readableOn("blue")).toBeUndefined();
  });
});

describe("sourceLinks", () => {
  it("links http(s) pages once each and never a script URL", () => {
    expect(
      sourceLinks([
        { chunkId: "a", url: "https://shop.example/shipping#canada", title: "Shipping" },
        { chunkId: "b", url: "https://shop.example/shipping#eu", title: "Shipping" },
        { chunkId: "c", url: "javascript:alert(1)", title: "Evil" },
        { chunkId: "d", url: "data:text/html,hi" },
        { chunkId: "e", url: "not a url" },
        { chunkId: "f" },
        { chunkId: "g", url: "http://shop.example/faq" },
      ]),
    ).toEqual([
      { href: "https://shop.example/shipping", label: "Shipping" },
      { href: "http://shop.example/faq", label: "shop.example/faq" },
    ]);
  });
});
