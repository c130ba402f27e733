// Telegram Bot API wire facts this channel relies on: text messages are 1–4096 characters, the
// webhook's secret_token comes back in X-Telegram-Bot-Api-Secret-Token, and a 429 says how long to
// wait in parameters.retry_after.

export const MAX_TEXT = 4096;

/** The parts of an Update this channel reads. */
export type Update = {
  update_id: number;
  message?: {
    message_id: number;
    chat: { id: number; type: string };
    from?: { id: number; first_name?: string; last_name?: string; username?: string };
    text?: string;
    caption?: string;
    photo?: unknown[];
    document?: { file_name?: string };
    contact?: { phone_number?: string; user_id?: number };
  };
};

/** The customer's words in a message: its text, a caption, or what was sent instead. */
export function textOf(message: NonNullable<Update["message"]>): string {
  if (message.text) return message.text;
  if (message.caption) return message.caption;
  if (message.contact?.phone_number) return `My phone number: ${message.contact.phone_number}`;
  if (message.photo) return "(sent a photo)";
  if (message.document)
    return `(sent a file${message.document.file_name ? `: ${message.document.file_name}` : ""})`;
  return "";
}
