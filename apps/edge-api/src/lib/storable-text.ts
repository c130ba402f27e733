// Text Postgres can store: no NUL character and no unpaired UTF-16 surrogate (which cannot be encoded
// as UTF-8). The HTTP boundary (http/input-guard.ts) and the chat protocol both refuse anything else.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorableText = (text: string): boolean =>
  !text.includes("\u0000") && !LONE_SURROGATE.test(text);
