// Shared shapes for field extractors: each turns a customer's message into a typed, JSON-safe value.
import type { CountryCode } from "libphonenumber-js";
import type { JsonValue } from "../routes/variables.js";

export type ExtractContext = {
  now: Date;
  /** IANA zone of the tenant; relative dates resolve in it. */
  timeZone: string;
  /** Phone numbers without a country code are read as this country's. */
  defaultCountry?: CountryCode;
  /** Currency for money without a symbol or code. */
  defaultCurrency?: string;
  /** How to read 03/04/2025; defaults from defaultCountry (MDY for US, DMY otherwise). */
  dateOrder?: "DMY" | "MDY";
};

export type FailureReason =
  | "empty"
  | "not_found"
  | "invalid"
  | "ambiguous"
  | "too_small"
  | "too_large"
  | "too_early"
  | "too_late"
  | "pattern_mismatch";

export type Extraction<T extends JsonValue = JsonValue> =
  | { ok: true; value: T }
  | { ok: false; reason: FailureReason };

export type Money = { amount: number; currency: string };
export type PersonName = { first: string; last: string | null; full: string };

export const fail = (reason: FailureReason): { ok: false; reason: FailureReason } => ({ ok: false, reason });
