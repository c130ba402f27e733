// 32-bit FNV-1a over UTF-16 code units. Features are identified by hash so that char n-grams need
// no substring allocation and the model stores numbers instead of strings.

export const FNV_OFFSET = 0x811c9dc5;

export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193) >>> 0;
}

export function fnvString(s: string, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}
