// AI providers (DESIGN §5): the model proposes through tool calls; the engine disposes.

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
export type ToolSpec = { name: string; description: string; parameters: Record<string, unknown> };
export type ToolCall = { name: string; arguments: string };

export type ChatRequest = {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /**
   * Called as a streamed answer arrives, with a tool call's arguments so far (partial JSON). Providers
   * that do not stream never call it; the result is the same either way.
   */
  onToolArguments?: (name: string, soFar: string) => void;
};
export type ChatResult = { text: string | null; toolCalls: ToolCall[]; tokens: number };

export interface AiProvider {
  readonly name: "offline" | "openai" | "workers-ai";
  chat(request: ChatRequest): Promise<ChatResult>;
  embed(texts: string[]): Promise<number[][]>;
}

export class AiUnavailableError extends Error {}

/** The default: no model. The engine's deterministic path does everything. */
export const offlineProvider: AiProvider = {
  name: "offline",
  chat: () => Promise.reject(new AiUnavailableError("no AI provider configured")),
  embed: () => Promise.reject(new AiUnavailableError("no AI provider configured")),
};
