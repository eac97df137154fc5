/**
 * Names from the chain or a DDO are chosen by whoever deployed or
 * published them, so they may hide characters that change how the text
 * around them reads: bidi overrides (U+202E turns "exe.lmth" into
 * "html.exe" on screen), isolates, marks, zero-width spaces and joiners,
 * byte-order marks, and other control characters. Before a name is shown,
 * each of those becomes a visible tag such as ⟨U+202E⟩, so what a person
 * reads is what the bytes say.
 */

/**
 * Code point ranges tagged: C0/C1 controls (tab and newline too: names are
 * single-line), soft hyphen, Arabic letter mark, Hangul fillers, Khmer and
 * Mongolian invisible vowels and selectors, zero-width characters and LRM/RLM,
 * bidi embeddings, overrides and isolates, word joiner and invisible
 * operators, variation selectors, the byte-order mark, halfwidth filler,
 * interlinear annotations and the object replacement mark.
 */
const INVISIBLE_RANGES: readonly [number, number][] = [
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x00ad, 0x00ad],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  // Line and paragraph separators: a new line inside a one-line name.
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff9, 0xfffc]
];

function isInvisible(codePoint: number): boolean {
  return INVISIBLE_RANGES.some(
    ([first, last]) => codePoint >= first && codePoint <= last
  );
}

/** `text` with every hidden or direction-changing character made visible. */
export function visibleText(text: string): string {
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    out += isInvisible(codePoint)
      ? `⟨U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}⟩`
      : char;
  }
  return out;
}

/** True when `text` holds a character visibleText would tag. */
export function hasInvisible(text: string): boolean {
  for (const char of text) if (isInvisible(char.codePointAt(0)!)) return true;
  return false;
}

/**
 * visibleText for text that may run over several lines (a message to
 * sign): line breaks stay, every other hidden character is tagged.
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}
