// Questions outside the scripts go to the knowledge base: either a validated, cited answer proposal
// from this turn's re-run, or a command for the host to retrieve and answer.
import type { Turn } from "./turn.js";

export const KNOWLEDGE_FALLBACK =
  "I'm not sure about that. Would you like me to connect you with someone from our team?";

export function requestKnowledge(turn: Turn): void {
  const answer = turn.proposals.answer;
  if (answer) {
    turn.proposals.answer = undefined;
    turn.reply({ kind: "answer", text: answer.text, citations: answer.citations });
    turn.event({ type: "knowledge.answered", citations: answer.citations });
    return;
  }
  turn.command({ type: "answer_from_knowledge", query: turn.text, fallback: KNOWLEDGE_FALLBACK });
  turn.event({ type: "knowledge.requested", query: turn.text });
}
