// Default re-ask messages: say what was wrong and how to answer, per type and failure.
import type { Field, FieldValidation } from "../routes/schema.js";
import type { FailureReason } from "./types.js";

const optionsList = (f: Field): string => (f.options ?? []).map((o, i) => `${i + 1}. ${o.label}`).join(", ");

export function reaskMessage(field: Field, reason: FailureReason): string {
  const v: FieldValidation = field.validation ?? { required: true };
  const label = field.label.toLowerCase();
  if (reason === "too_small")
    return field.type === "text" || field.type === "name"
      ? `That's a bit short — please give at least ${v.min} characters.`
      : `That's below the minimum of ${v.min}${field.type === "money" && field.currency ? ` ${field.currency}` : ""}.`;
  if (reason === "too_large")
    return field.type === "text" || field.type === "name"
      ? `That's too long — please keep it under ${v.max} characters.`
      : `That's above the maximum of ${v.max}${field.type === "money" && field.currency ? ` ${field.currency}` : ""}.`;
  if (reason === "too_early")
    return `That date is too early${v.minDate && /^\d/.test(v.minDate) ? ` — the earliest is ${v.minDate}` : ""}. Please pick a later date.`;
  if (reason === "too_late")
    return `That date is too late${v.maxDate && /^\d/.test(v.maxDate) ? ` — the latest is ${v.maxDate}` : ""}. Please pick an earlier date.`;
  if (reason === "pattern_mismatch") return `That doesn't match the expected format for ${label}.`;
  switch (field.type) {
    case "email":
      return reason === "invalid"
        ? "That email address doesn't look right — please check it and send it again."
        : "I couldn't find an email address in that. Please type it like name@example.com.";
    case "phone":
      return "That doesn't look like a valid phone number. Please include the country code, e.g. +44 20 7946 0958.";
    case "number":
      return "Please reply with a number, e.g. 12 or 2.5k.";
    case "money":
      return reason === "invalid"
        ? "Please give an amount of money rather than a percentage, e.g. 25k or $1,200."
        : "Please give an amount, e.g. 25k, $1,200 or 1.5 million.";
    case "date":
      return reason === "invalid"
        ? "That date doesn't exist — please check the day and month."
        : "I couldn't work out the date. You can say e.g. 'next Tuesday', 'in 3 days' or '14 March'.";
    case "choice":
      return reason === "ambiguous"
        ? `Sorry, which one did you mean? ${optionsList(field)}`
        : `Please pick one of: ${optionsList(field)}`;
    case "name":
      return reason === "invalid"
        ? "Please type your name using letters only."
        : "Sorry, I didn't catch your name — what is it?";
    case "text":
      return `Could you type your ${label}?`;
  }
}
