export * from "./capabilities.js";
export * from "./channel.js";
export { buildContext } from "./context.js";
export { definePlugin, type Plugin, type PluginDefinition, PluginError } from "./define.js";
export * from "./email.js";
export * from "./manifest.js";
export * from "./permissions.js";
export * from "./review.js";
export * from "./wire.js";
