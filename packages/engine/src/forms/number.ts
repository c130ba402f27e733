// Numbers and money: "25k", "$1,200.50", "1.5 million", "twenty-five thousand", "300 EUR".
import { parseNumberWords } from "./numberWords.js";
import { type Extraction, fail, type Money } from "./types.js";

const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  grand: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};
const SYMBOLS: Record<string, string> = {
  "€": "EUR",
  "£": "GBP",
  "¥": "JPY",
  "₹": "INR",
  "₩": "KRW",
  "₽": "RUB",
};
const CODES = [
  "USD",
  "EUR",
  "GBP",
  "JPY",
  "CHF",
  "CAD",
  "AUD",
  "NZD",
  "INR",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "BRL",
  "MXN",
  "ZAR",
  "SGD",
  "HKD",
  "CNY",
];
const WORDS: Record<string, string> = {
  dollar: "USD",
  dollars: "USD",
  bucks: "USD",
  euro: "EUR",
  euros: "EUR",
  pound: "GBP",
  pounds: "GBP",
  quid: "GBP",
  yen: "JPY",
  rupees: "INR",
  francs: "CHF",
};

const NUMBER =
  /(?<pre>[$€£¥₹₩₽]|\b[A-Z]{3}\b)?\s?(?<num>-?\d{1,3}(?:[,' ]\d{3})+(?:\.\d+)?|-?\d{1,3}(?:\.\d{3})+,\d+|-?\d+(?:[.,]\d+)?|-?\.\d+)(?<pct>\s?%)?(?:\s?(?<mult>k|mm|mn|m|bn|b|thousand|million|billion|grand)\b)?(?:\s?(?<post>[A-Za-z]{3}\b|[€$£]|dollars?|euros?|pounds?|bucks|quid|yen|rupees|francs))?/i;

/** "1,200.50" → 1200.5; "1.200,50" (European) → 1200.5; "1,5" → 1.5. */
function toNumber(raw: string): number {
  let s = raw.replace(/[' ]/g, "");
  if (/^-?\d{1,3}(\.\d{3})+,\d+$/.test(s)) s = s.replace(/\./g, "").replace(",", ".");
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  else s = s.replace(",", ".");
  return Number(s);
}

function currencyOf(token: string | undefined, dollarDefault: string): string | null {
  if (!token) return null;
  if (token === "$") return dollarDefault;
  if (SYMBOLS[token]) return SYMBOLS[token] as string;
  const upper = token.toUpperCase();
  if (CODES.includes(upper)) return upper;
  return WORDS[token.toLowerCase()] ?? (token.toLowerCase().startsWith("dollar") ? dollarDefault : null);
}

type Quantity = { value: number; currency: string | null; percent: boolean };

function findQuantity(text: string, defaultCurrency: string): Quantity | null {
  const dollar = defaultCurrency.endsWith("D") ? defaultCurrency : "USD"; // "$" means the tenant's dollar when it has one
  const m = text.match(NUMBER);
  if (m?.groups) {
    const g = m.groups;
    const base = toNumber(g.num as string);
    const mult = g.mult ? (MULTIPLIERS[g.mult.toLowerCase()] ?? 1) : 1;
    const currency = currencyOf(g.pre, dollar) ?? currencyOf(g.post, dollar);
    if (Number.isFinite(base))
      return { value: Math.round(base * mult * 1e6) / 1e6, currency, percent: Boolean(g.pct) };
  }
  const words = parseNumberWords(text);
  if (words === null) return null;
  const cur = text.match(/[$€£¥₹]|\b(dollars?|euros?|pounds?|bucks|quid|yen|rupees|francs|[A-Z]{3})\b/i)?.[0];
  return { value: words, currency: currencyOf(cur, dollar), percent: /\bper ?cent\b|%/.test(text) };
}

export function extractNumber(text: string): Extraction<number> {
  if (!text.trim()) return fail("empty");
  const q = findQuantity(text, "USD");
  return q ? { ok: true, value: q.value } : fail("not_found");
}

export function extractMoney(text: string, defaultCurrency = "USD"): Extraction<Money> {
  if (!text.trim()) return fail("empty");
  const q = findQuantity(text, defaultCurrency);
  if (!q) return fail("not_found");
  // "90%" is a share, not an amount of money.
  if (q.percent) return fail("invalid");
  return { ok: true, value: { amount: q.value, currency: q.currency ?? defaultCurrency } };
}
