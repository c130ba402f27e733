export * from "./events/catalog.js";
export { actorSchema, defineEvent } from "./events/envelope.js";
export * from "./plugin/index.js";
