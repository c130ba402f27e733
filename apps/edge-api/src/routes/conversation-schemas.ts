import { ConversationViewSchema, MessageViewSchema, TurnResultSchema } from "../conversations/protocol.js";

// What conversation endpoints answer (the inbox's and the widget's), named once for the OpenAPI
// document: the Conversation DO's own schemas (conversations/protocol.ts).

export const messageSchema = MessageViewSchema.openapi("Message");
export const conversationSchema = ConversationViewSchema.openapi("Conversation");
export const turnSchema = TurnResultSchema.extend({
  conversation: conversationSchema,
  messages: messageSchema.array(),
}).openapi("ConversationTurn");
