export * from "./access.js";
export * from "./identity.js";
export * from "./platform.js";
