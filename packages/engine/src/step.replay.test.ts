// A recorded conversation replays to identical output given the same injected clock and randomness.
// Re-record after an intended behaviour change with: RECORD_TRANSCRIPT=1 npx vitest run src/step.replay.test.ts
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CommandSchema } from "./dialogue/commands.js";
import type { StepInput } from "./dialogue/context.js";
import { initialState } from "./dialogue/state.js";
import { seededRandom } from "./random.js";
import { type StepResult, step } from "./step.js";
import { makeCtx } from "./testing/fixtures.js";

const FIXTURE = new URL("./testing/transcript.fixture.json", import.meta.url);

type Transcript = {
  setup: {
    now: string;
    seed: number;
    timeZone: string;
    aiAvailable: boolean;
    contact: { firstName: string };
  };
  turns: { input: StepInput; output: StepResult }[];
};

const INPUTS: StepInput[] = [
  { text: "hello" },
  { text: "Hi, I'd like a quote for your product" },
  { text: "I'm jane DOE" },
  { text: "my email is Jane.Doe@Example.com." },
  { text: "what's included in the plans?" },
  { text: "the entreprise one" },
  { text: "4k" },
  { text: "twenty-five thousand dollars" },
  { text: "do you have an office in Berlin?" },
  { text: "thanks!!!" },
  { text: "book a visit", proposals: [{ type: "choose_route", routeId: "nope" }] },
  { text: "end of next month" },
  { text: "tomorrow" },
  { text: "I WANT TO TALK TO A PERSON NOW" },
];

function replay(setup: Transcript["setup"], inputs: StepInput[]): StepResult[] {
  // One seeded generator for the whole conversation, as a DO seeded per conversation would.
  const ctx = makeCtx({
    now: new Date(setup.now),
    random: seededRandom(setup.seed),
    timeZone: setup.timeZone,
    aiAvailable: setup.aiAvailable,
    contact: setup.contact,
  });
  let state = initialState();
  return inputs.map((input) => {
    const r = step(state, input, ctx);
    state = r.state;
    return r;
  });
}

describe("transcript replay", () => {
  if (process.env.RECORD_TRANSCRIPT) {
    const setup = {
      now: "2025-03-14T14:00:00.000Z",
      seed: 7,
      timeZone: "America/New_York",
      aiAvailable: true,
      contact: { firstName: "Jane" },
    };
    const outputs = replay(setup, INPUTS);
    const transcript: Transcript = {
      setup,
      turns: INPUTS.map((input, i) => ({ input, output: outputs[i] as StepResult })),
    };
    writeFileSync(FIXTURE, `${JSON.stringify(transcript, null, 2)}\n`);
  }

  it("replays the recorded transcript to identical output", () => {
    const transcript = JSON.parse(readFileSync(FIXTURE, "utf8")) as Transcript;
    expect(transcript.turns.length).toBeGreaterThan(10);
    const outputs = replay(
      transcript.setup,
      transcript.turns.map((t) => t.input),
    );
    // Round-trip through JSON as the DO stores it; undefined properties vanish on both sides.
    expect(JSON.parse(JSON.stringify(outputs))).toEqual(transcript.turns.map((t) => t.output));
  });

  it("emits only commands that satisfy the published command schema", () => {
    const transcript = JSON.parse(readFileSync(FIXTURE, "utf8")) as Transcript;
    const commands = transcript.turns.flatMap((t) => t.output.commands);
    expect(commands.length).toBeGreaterThan(3);
    for (const c of commands) expect(CommandSchema.safeParse(c).success).toBe(true);
  });

  it("is deterministic run to run", () => {
    const transcript = JSON.parse(readFileSync(FIXTURE, "utf8")) as Transcript;
    const inputs = transcript.turns.map((t) => t.input);
    expect(replay(transcript.setup, inputs)).toEqual(replay(transcript.setup, inputs));
  });
});
