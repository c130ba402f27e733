// Questions outside the scripts go to the knowledge base. The first run of a turn asks the host to
// retrieve (answer_from_knowledge); the host re-runs the turn with the chunks it found (and, with a
// model, a drafted answer_with_citations proposal, already grounded by acceptProposals). Then: the
// drafted answer, else an extractive one, else "I don't know" with an offer of a human.
// Retrieved text only ever becomes reply text: this path emits no command and changes no fields.
import { extractiveAnswer, onTopic } from "../knowledge/extractive.js";
import { questionToRemember } from "../knowledge/question.js";
import { requestHandoff } from "./handoff.js";
import type { Turn } from "./turn.js";

export const KNOWLEDGE_MESSAGES = {
  unknown: "I'm not sure about that.",
  offer: "Would you like me to connect you with someone from our team?",
  declined: "No problem. Is there anything else I can help with?",
  acceptReply: "Yes, connect me",
  declineReply: "No, thanks",
};

/** What the host says when it cannot retrieve at all (e.g. the database is down). */
export const KNOWLEDGE_FALLBACK = `${KNOWLEDGE_MESSAGES.unknown} ${KNOWLEDGE_MESSAGES.offer}`;

const ACCEPT =
  /^(yes|yeah|yep|yup|sure|ok(ay)?|please( do)?|yes,? (please|connect me|please connect me)|go ahead)[.! ]*$/i;
const DECLINE = /^(no|nope|no,? thanks?( you)?|not now|no need)[.! ]*$/i;

export function requestKnowledge(turn: Turn): void {
  const knowledge = turn.input.knowledge;
  if (knowledge === undefined) {
    askKnowledge(turn);
    return;
  }
  turn.state.lastQuestion = questionToRemember(turn.question).slice(0, 500);
  const drafted = turn.proposals.answer;
  turn.proposals.answer = undefined;
  const cited = knowledge.filter((c) => drafted?.citations.includes(c.id));
  // Grounded is not enough: the cited chunks must be about the question (onTopic).
  if (drafted && !onTopic(turn.question, cited))
    turn.event({ type: "proposal.rejected", proposal: "answer_with_citations", reason: "off_topic" });
  else if (drafted) {
    turn.reply({
      kind: "answer",
      text: drafted.text,
      citations: drafted.citations,
      sources: drafted.sources,
    });
    turn.event({ type: "knowledge.answered", citations: drafted.citations, mode: "model" });
    return;
  }
  const extracted = extractiveAnswer(turn.question, knowledge, turn.ctx.knowledgePolicy);
  if (extracted) {
    turn.reply({
      kind: "answer",
      text: extracted.text,
      citations: extracted.citations,
      sources: extracted.sources,
    });
    turn.event({ type: "knowledge.answered", citations: extracted.citations, mode: "extractive" });
    return;
  }
  turn.event({ type: "knowledge.unanswered", query: turn.text });
  if (turn.state.active) {
    // Mid-form the next message answers the question being asked, so no offer competes with it.
    turn.reply({ kind: "answer", text: KNOWLEDGE_MESSAGES.unknown });
    return;
  }
  turn.state.offer = "handoff";
  turn.reply({
    kind: "answer",
    text: KNOWLEDGE_FALLBACK,
    quickReplies: [KNOWLEDGE_MESSAGES.acceptReply, KNOWLEDGE_MESSAGES.declineReply],
  });
}

/** The host's retrieval for this turn: the engine re-runs with the chunks found. */
export function askKnowledge(turn: Turn): void {
  const { query, context } = turn.question;
  const question = context ? `${context} (then: ${turn.text})` : turn.text;
  turn.command({ type: "answer_from_knowledge", query, question, fallback: KNOWLEDGE_FALLBACK });
  turn.event({ type: "knowledge.requested", query: turn.text });
}

/** The message after "shall I connect you?": yes hands off, no is acknowledged, anything else moves on. */
export function answerOffer(turn: Turn): boolean {
  const offer = turn.state.offer;
  delete turn.state.offer;
  if (offer !== "handoff") return false;
  if (ACCEPT.test(turn.text)) {
    requestHandoff(turn, "knowledge_gap");
    return true;
  }
  if (DECLINE.test(turn.text)) {
    turn.reply({ kind: "say", text: KNOWLEDGE_MESSAGES.declined });
    return true;
  }
  return false;
}
