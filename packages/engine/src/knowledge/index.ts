export {
  type Asked,
  extractiveAnswer,
  knowledgeConfidence,
  MIN_DRAFT_RELEVANCE,
  MIN_RELEVANCE,
  onTopic,
} from "./extractive.js";
export {
  type GroundedAnswer,
  type GroundingResult,
  groundAnswer,
  SUPPORT_THRESHOLD,
} from "./grounding.js";
export { checkForbiddenPattern, forbiddenMatcher, type KnowledgePolicy } from "./policy.js";
export { type KnowledgeQuestion, knowledgeQuestion } from "./question.js";
export { contentTerms, sanitizeChunk, splitSentences } from "./text.js";
