export * from "./access.js";
export * from "./contacts.js";
export * from "./conversations.js";
export * from "./deals.js";
export * from "./identity.js";
export * from "./leads.js";
export * from "./platform.js";
export * from "./teams.js";
