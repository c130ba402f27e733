// Events: facts about the turn for analytics (the host stamps ids and timestamps and sends them to the queue).
import type { JsonValue } from "../routes/variables.js";

export type EngineEvent =
  | { type: "route.selected"; routeId: string; confidence: number; via: "router" | "proposal" }
  | { type: "route.completed"; routeId: string; outcome: "end" | "handoff" }
  | { type: "route.abandoned"; routeId: string; stepId: string; reason: string }
  | { type: "route.step_entered"; routeId: string; stepId: string; kind: string }
  | {
      type: "form.field_collected";
      routeId: string;
      stepId: string;
      field: string;
      via: "extractor" | "proposal";
      skipped: boolean;
    }
  | {
      type: "form.field_rejected";
      routeId: string;
      stepId: string;
      field: string;
      reason: string;
      attempt: number;
    }
  | { type: "form.completed"; routeId: string; fields: Record<string, JsonValue> }
  | { type: "action.requested"; routeId: string; stepId: string; action: string }
  | { type: "handoff.requested"; reason: string; outOfHours: boolean; team?: string; skill?: string }
  | { type: "handoff.email_requested"; reason: string }
  | { type: "knowledge.requested"; query: string }
  | { type: "knowledge.answered"; citations: string[]; mode: "extractive" | "model" }
  | { type: "knowledge.unanswered"; query: string }
  | { type: "route.low_confidence"; candidates: string[]; count: number }
  | { type: "route.outranked"; routeId: string; routeConfidence: number; knowledgeConfidence: number }
  | { type: "proposal.accepted"; proposal: string }
  | { type: "proposal.rejected"; proposal: string; reason: string }
  | { type: "input.flagged"; reason: "prompt_injection" }
  | { type: "conversation.turn_ignored"; reason: "handed_off" };

export type EventType = EngineEvent["type"];
