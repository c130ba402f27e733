// Public API of the decision engine.

export * from "./assignment/index.js";
export * from "./dialogue/index.js";
export * from "./forecast/index.js";
export * from "./forms/index.js";
export * from "./knowledge/index.js";
export { seededRandom } from "./random.js";
export * from "./router/index.js";
export * from "./routes/index.js";
export * from "./scoring/index.js";
export { ENGINE_MESSAGES, knowledgeQuestionOf, messageText, type StepResult, step } from "./step.js";
