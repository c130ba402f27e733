// The text colour readable on the workspace's brand colour: white or near-black, whichever has the
// higher WCAG contrast ratio, so a light brand colour never makes white text unreadable.

function luminance(hex: string): number | null {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m?.[1]) return null;
  const n = Number.parseInt(m[1], 16);
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export const DARK_TEXT = "#111827";

/** undefined for a value that is not #rrggbb (the widget then keeps its default colours). */
export function readableOn(hex: string): string | undefined {
  const l = luminance(hex);
  if (l === null) return undefined;
  const dark = luminance(DARK_TEXT) ?? 0;
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (dark + 0.05);
  return onWhite >= onDark ? "#fff" : DARK_TEXT;
}
