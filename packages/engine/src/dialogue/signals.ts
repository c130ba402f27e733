// Lexical signals read from a customer message: asking for a human, frustration, cancelling,
// asking a question, and prompt-injection attempts. Deterministic and cheap; an LLM may add a
// `handoff` proposal on top.

const HUMAN =
  /\b(talk|speak|chat|connect|transfer|put)\b.{0,25}\b(human|person|agent|someone|somebody|representative|rep|operator|manager|staff|real people)\b|\b(real|live|actual) (person|human|agent)\b|\b(human|agent|representative|operator) please\b|^(human|agent|operator|representative)[.!?]*$/i;

const FRUSTRATION_CUES =
  /\b(useless|ridiculous|waste of (my )?time|not helpful|unhelpful|stupid|frustrat\w*|annoy\w*|terrible|awful|pathetic|wtf|ffs|fed up|sick of|this is a joke|you('re| are) not listening|doesn'?t work|hopeless)\b/i;

const BUILT_IN_PROFANITY = [
  "fuck",
  "fucking",
  "shit",
  "shitty",
  "crap",
  "damn",
  "bullshit",
  "bastard",
  "asshole",
  "bloody hell",
  "piss off",
];

const INJECTION =
  /\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions|rules|prompt|guidelines|programming|previous|above)\b|\b(system prompt|developer mode|jailbreak|you are now|act as (an? )?(admin|developer|system))\b|\bnew instructions\b/i;

const CANCEL = /^(cancel|stop|quit|exit|never ?mind|nevermind|forget it|start over|restart)[.!]*$/i;

const QUESTION =
  /\?\s*$|^(what|when|where|why|how|who|which|do you|does|can you|can i|is there|are you|are there)\b/i;

export function asksForHuman(text: string): boolean {
  return HUMAN.test(text);
}

/** Frustration added by this message: cue words and profanity 2 each, shouting and "!!!" 1 each. */
export function frustrationScore(text: string, extraProfanity: string[] = []): number {
  let score = 0;
  if (FRUSTRATION_CUES.test(text)) score += 2;
  const lower = text.toLowerCase();
  const words = new Set(lower.split(/[^a-z']+/));
  if (
    [...BUILT_IN_PROFANITY, ...extraProfanity].some((p) =>
      p.includes(" ") ? lower.includes(p) : words.has(p),
    )
  )
    score += 2;
  const letters = text.replace(/[^A-Za-z]/g, "");
  if (letters.length >= 8 && letters.replace(/[^A-Z]/g, "").length / letters.length >= 0.8) score += 1;
  if (/[!?]{3,}/.test(text)) score += 1;
  return score;
}

export function isPromptInjection(text: string): boolean {
  return INJECTION.test(text);
}

export function isCancel(text: string): boolean {
  return CANCEL.test(text.trim());
}

export function isQuestion(text: string): boolean {
  return QUESTION.test(text.trim());
}
