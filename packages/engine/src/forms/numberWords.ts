// English number words: "twenty-five thousand", "one hundred and five", "a million", "two and a half million".
const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { thousand: 1e3, grand: 1e3, million: 1e6, billion: 1e9 };

/** Parses the first run of number words in the text; null when there is none. */
export function parseNumberWords(text: string): number | null {
  const words = text
    .toLowerCase()
    .replace(/-/g, " ")
    .split(/[^a-z]+/)
    .filter(Boolean);
  let start = words.findIndex((w) => w in UNITS && w !== "a" && w !== "an");
  const scaleOnly = words.findIndex((w, i) => (w === "a" || w === "an") && (words[i + 1] ?? "") in SCALES);
  if (scaleOnly >= 0 && (start < 0 || scaleOnly < start)) start = scaleOnly;
  if (start < 0) return null;
  let total = 0;
  let current = 0;
  let half = false;
  let seen = false;
  for (let i = start; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "and") {
      // "two and a half million"
      if (words[i + 1] === "a" && words[i + 2] === "half") {
        half = true;
        i += 2;
        continue;
      }
      if (seen && (words[i + 1] ?? "") in UNITS) continue;
      break;
    }
    if (w in UNITS && !((w === "a" || w === "an") && seen)) {
      current += UNITS[w] as number;
      seen = true;
    } else if (w === "hundred" && seen) current = (current || 1) * 100;
    else if (w in SCALES && seen) {
      const scale = SCALES[w] as number;
      total += ((current || 1) + (half ? 0.5 : 0)) * scale;
      current = 0;
      half = false;
    } else break;
  }
  return seen ? total + current + (half ? 0.5 : 0) : null;
}
