// One entry point: the field's extractor, then its validation rules.
import type { Field } from "../routes/schema.js";
import { extractChoice } from "./choice.js";
import { checkConstraints } from "./constraints.js";
import { extractDate } from "./date.js";
import { extractEmail } from "./email.js";
import { extractName } from "./name.js";
import { extractMoney, extractNumber } from "./number.js";
import { extractPhone } from "./phone.js";
import { extractText } from "./text.js";
import type { ExtractContext, Extraction } from "./types.js";

const SKIP =
  /^(skip|none|n\/?a|no|nope|pass|prefer not to say|i'?d rather not( say)?|rather not( say)?)[.!]?$/i;

function extractRaw(field: Field, text: string, ctx: ExtractContext): Extraction {
  switch (field.type) {
    case "email":
      return extractEmail(text);
    case "phone":
      return extractPhone(text, ctx.defaultCountry);
    case "number":
      return extractNumber(text);
    case "money":
      return extractMoney(text, field.currency ?? ctx.defaultCurrency);
    case "date":
      return extractDate(text, ctx);
    case "choice":
      return extractChoice(text, field.options ?? []);
    case "name":
      return extractName(text);
    case "text":
      return extractText(text);
  }
}

/** Extracts and validates. An optional field answered with "skip"/"none" yields null. */
export function extractField(field: Field, text: string, ctx: ExtractContext): Extraction {
  const required = field.validation?.required ?? true;
  if (!required && SKIP.test(text.trim())) return { ok: true, value: null };
  const raw = extractRaw(field, text, ctx);
  return raw.ok ? checkConstraints(field, raw.value, ctx) : raw;
}
