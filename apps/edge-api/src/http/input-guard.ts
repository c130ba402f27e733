import { AppError } from "../domain/errors.js";
import { isStorableText } from "../lib/storable-text.js";

// One rule, at the boundary, for text Postgres cannot store and shapes no route expects: a NUL
// character or an unpaired UTF-16 surrogate anywhere in a path parameter, the query or a JSON body,
// and JSON nested deeper than any of our schemas. The validation hook applies it to every validated
// input (http/validation.ts), so it is a 400 naming the field before a handler runs: nothing is
// half-written and no outbox later retries a row that can never be stored.

/** Deeper than any schema of ours (a route's steps' conditions are about 8 levels). */
export const MAX_JSON_DEPTH = 32;

const bad = (field: string, problem: string) => new AppError("invalid_request", `${field}: ${problem}`);
const UNSTORABLE_MESSAGE = "contains a character that cannot be stored (NUL or an unpaired surrogate)";

/** The first problem in a parsed JSON value, as `field.path: problem`. */
export function checkInput(value: unknown, path: string[] = [], depth = 0): AppError | null {
  const at = () => path.join(".") || "body";
  if (depth > MAX_JSON_DEPTH) return bad(at(), `nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (typeof value === "string") return isStorableText(value) ? null : bad(at(), UNSTORABLE_MESSAGE);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = checkInput(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (!isStorableText(key)) return bad([...path, "(key)"].join("."), UNSTORABLE_MESSAGE);
      const found = checkInput(inner, [...path, key], depth + 1);
      if (found) return found;
    }
  }
  return null;
}
