import { describe, expect, it } from "vitest";
import { parseMarkdown } from "./markdown.js";

describe("parseMarkdown", () => {
  it("keeps the words a reader sees: tables row by row, list items whole, code as written, HTML as text", () => {
    const doc = parseMarkdown(
      [
        "# Plans &amp; pricing",
        "",
        "| Plan | Price |",
        "|------|------:|",
        "| **Pro** | $29 |",
        "",
        "* Ships in 5 days",
        "* Returns: [30 days][policy]",
        "",
        "> Run `npm i *x*` first.",
        "",
        "<div>Open <b>9–5</b><!-- internal --></div>",
        "",
        "#### Deep heading",
        "",
        "Under it.",
        "",
        "[policy]: https://x.test/returns",
      ].join("\n"),
    );
    expect(doc.title).toBe("Plans & pricing");
    expect(doc.sections).toEqual([
      {
        headingPath: ["Plans & pricing"],
        text: "Plan | Price\nPro | $29\n\n- Ships in 5 days\n- Returns: 30 days\n\nRun npm i *x* first.\n\nOpen 9–5\n\nDeep heading\n\nUnder it.",
      },
    ]);
  });
});
