// The offline answer's passages (extractive.ts): what a customer reads for the questions the issue
// listed as wrong — lists whole and narrowed, sentences with what they lean on, values asked for,
// FAQ headings, follow-ups — and what it refuses.
import { describe, expect, it } from "vitest";
import type { KnowledgeChunk } from "../dialogue/context.js";
import { extractiveAnswer, knowledgeConfidence } from "./extractive.js";
import { correctSpelling, intentOf } from "./lexicon.js";
import { knowledgeQuestion, retrievalQuery } from "./question.js";

const chunk = (id: string, headings: string[], text: string): KnowledgeChunk => ({ id, headings, text });
const desks = chunk(
  "desks",
  ["Prices and bundles", "Desks"],
  "- LiftDesk Pro with oak top: $1,049\n- LiftDesk Pro with bamboo top: $799\n- LiftDesk Mini 100 × 60 cm: $399",
);
const pro = chunk(
  "pro",
  ["LiftDesk Pro standing desk"],
  "The LiftDesk Pro is our flagship electric standing desk, built for dual-monitor setups.",
);
const shipping = chunk(
  "shipping",
  ["Shipping and delivery", "Shipping costs"],
  "Standard shipping is free on orders over $300. Below that it costs $29. Express delivery (1–2 business days, US only) costs $79 per order. ".repeat(
    1,
  ) +
    "We pack every desk in recyclable cardboard with paper padding, and the boxes go out from our warehouse in Portland on the day the order is confirmed by our team. ".repeat(
      2,
    ),
);
const discounts = chunk(
  "volume",
  ["Business orders", "Volume discounts"],
  "- 10 to 24 desks or chairs: 8% off\n- 25 to 99: 12% off\n- 100 or more: ask for a quote",
);
const accessories = chunk(
  "acc",
  ["Prices and bundles", "Accessories"],
  "Monitor arm single $89, dual $139; three-monitor kit $229; cable tray $39; anti-fatigue mat $69.",
);
const faq = chunk(
  "faq",
  ["Warranty", "What the warranty covers"],
  "Defects in materials and workmanship under normal use, for the original buyer.",
);
const lamps = chunk(
  "mini",
  ["LiftDesk Mini", "Size"],
  "- Lifting capacity: 70 kg, enough for a laptop, a monitor and a lamp",
);

describe("passages", () => {
  it("answers a price question with the list rows it names, not the product description", () => {
    const a = extractiveAnswer("How much is the LiftDesk Pro?", [pro, desks]);
    expect(a?.text).toBe("LiftDesk Pro with oak top: $1,049. LiftDesk Pro with bamboo top: $799.");
    expect(a?.citations).toEqual(["desks"]);
  });

  it("reads a sentence with the one it leans on ('Below that it costs $29')", () => {
    const a = extractiveAnswer("how much is shipping for a small order", [shipping]);
    expect(a?.text).toContain("Standard shipping is free on orders over $300. Below that it costs $29.");
  });

  it("puts a number in the range that holds it, and splits a catalogue line into its entries", () => {
    expect(extractiveAnswer("what's the discount for 30 desks", [discounts])?.text).toContain(
      "25 to 99: 12% off.",
    );
    expect(extractiveAnswer("cost of the cable tray", [accessories])?.text).toBe(
      "Accessories: cable tray $39.",
    );
  });

  it("answers from an FAQ heading whose text uses other words", () => {
    expect(extractiveAnswer("what does the warranty cover", [faq])?.text).toContain("Defects in materials");
  });

  it("reads a follow-up with the question before it", () => {
    const asked = knowledgeQuestion("and the mini?", "How much is the LiftDesk Pro?");
    expect(asked).toMatchObject({
      question: "the mini",
      context: "How much is the LiftDesk Pro?",
      elliptical: true,
    });
    expect(extractiveAnswer(asked, [pro, desks])?.text).toBe("LiftDesk Mini 100 × 60 cm: $399.");
  });

  it("refuses what the pages only mention in passing, or never name", () => {
    expect(extractiveAnswer("do you rent desks monthly", [desks, pro])).toBeNull();
    expect(extractiveAnswer("do you sell laptops", [lamps])).toBeNull();
    expect(knowledgeConfidence("who is the president of the united states", [shipping])).toBe(0);
  });
});

describe("the question as the pages are asked it", () => {
  it("fixes a misspelt service word and joins a split product name", () => {
    expect(knowledgeQuestion("warrenty on the chair?").question).toBe("warranty on the chair");
    expect(correctSpelling("how mcuh is the lift desk", new Set(["much", "liftdesk"]))).toBe(
      "how much is the liftdesk",
    );
    // Short words are left alone: "move" is not "more".
    expect(correctSpelling("does it move", new Set(["more"]))).toBe("does it move");
  });

  it("widens the retrieval query with the pages' words, within the eight words retrieval reads", () => {
    expect(retrievalQuery("how long is the chair guaranteed")).toBe("chair guaranteed warranty");
    expect(retrievalQuery("How much is the LiftDesk Pro?")).toBe("liftdesk pro price");
    expect(retrievalQuery("a b c d e f g h i j k l").split(" ")).toHaveLength(8);
  });

  it("knows which value a question asks for", () => {
    expect(intentOf("how much is it")?.name).toBe("⟨price⟩");
    expect(intentOf("how much weight can it hold")?.name).toBe("⟨weight⟩");
    expect(intentOf("how long does delivery take")?.name).toBe("⟨duration⟩");
    expect(intentOf("what is the support email?")?.name).toBe("⟨email⟩");
    expect(intentOf("do you ship to Canada")).toBeUndefined();
  });

  it("sends 'what do you sell?' to the pages about the company", () => {
    expect(knowledgeQuestion("What does your product do?")).toMatchObject({ direct: true });
    expect(knowledgeQuestion("what do you sell")).toMatchObject({ direct: true });
  });
});
