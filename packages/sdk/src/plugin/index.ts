export * from "./capabilities.js";
export * from "./channel.js";
export { buildContext } from "./context.js";
export {
  definePlugin,
  type Plugin,
  type PluginDefinition,
  PluginError,
  type ScheduleOutcome,
} from "./define.js";
export * from "./email.js";
export * from "./manifest.js";
export * from "./permissions.js";
export * from "./record-sync.js";
export * from "./review.js";
export * from "./signing.js";
export * from "./sync.js";
export * from "./sync-kinds.js";
export * from "./wire.js";
