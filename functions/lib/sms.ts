/**
 * Text helpers for SMS (and other length- or charset-limited channels).
 *
 * One SMS segment carries 140 bytes: 160 GSM-7 characters or 70 UCS-2 characters. A single
 * character outside GSM-7 (an emoji, a curly quote) switches the whole message to UCS-2 and
 * splits it into several billed parts. These helpers keep a text to the GSM 03.38 *basic*
 * character set (no escape/extension characters, so one character is one septet) and within a
 * length budget, so that it always fits one segment.
 */

/** Default SMS budget in characters: well inside one segment even when counted as bytes. */
export const SMS_SEGMENT_LENGTH = 140;

/** Marker appended or inserted where text was cut. ASCII and GSM-7 safe. */
const TRUNCATION_MARKER = '..';

/** The GSM 03.38 default alphabet (basic character set, without the ESC code). */
const GSM7_BASIC_CHARACTERS = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/**
 * Lookalike replacements: GSM-7 extension characters (two septets each, mangled by some
 * carriers) and common typographic characters that are not GSM-7 or not printable ASCII.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '~': '-',
  '|': '/',
  '\\': '/',
  '^': "'",
  '`': "'",
  '€': 'EUR',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '′': "'",
  '´': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '″': '"',
  '«': '"',
  '»': '"',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '−': '-',
  '…': '...',
  '•': '*',
  '·': '.',
  '×': 'x',
  '÷': '/',
  '©': '(c)',
  '®': '(R)',
  '™': 'TM',
  '°': 'deg',
  '→': '->',
  '←': '<-',
  '⇒': '=>',
  '≥': '>=',
  '≤': '<=',
  '≠': '!=',
};

const WHITESPACE = /^\s+$/u;
const FORMAT = /^\p{Cf}+$/u;
const CONTROL = /^\p{Cc}+$/u;
const COMBINING_MARKS = /\p{M}/gu;
const UNKNOWN = '?';

/**
 * Code points that never join a neighbour into one grapheme cluster (Unicode UAX #29: none is a
 * combining or spacing mark, ZWJ, prepended mark, Hangul jamo or regional indicator; the pictographs
 * among them, © or →, join only through a ZWJ or a variation selector, which are not here): Latin,
 * Greek and Cyrillic letters below U+0300, the typographic punctuation, currency signs, letterlike
 * symbols, arrows and math operators of the alerts' lookalikes. A text of only these is one grapheme
 * per code point but CR LF, and is split without a segmenter.
 */
export const ONE_GRAPHEME_PER_CODE_POINT: readonly (readonly [number, number])[] = [
  [0x0000, 0x02ff],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x20a0, 0x20cf],
  [0x2100, 0x214f],
  [0x2190, 0x22ff],
];
const isOneGraphemePerCodePoint = (text: string): boolean => {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (!ONE_GRAPHEME_PER_CODE_POINT.some(([first, last]) => code >= first && code <= last)) {
      return false;
    }
  }
  return true;
};
const CODE_POINT_OR_CRLF = /\r\n|[\s\S]/gu;

// Building a grapheme segmenter loads ICU's break rules: 6–10 ms in a fresh Node 24 process, at
// every cold start of a function that imports this module. Built for the first text that needs it.
let segmenter: Intl.Segmenter | undefined;

/** The user-perceived characters (grapheme clusters) of `text`, as Intl.Segmenter splits them. */
export const graphemesOf = (text: string): string[] => {
  if (isOneGraphemePerCodePoint(text)) return text.match(CODE_POINT_OR_CRLF) ?? [];
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), ({ segment }) => segment);
};

/**
 * Maps every user-perceived character (grapheme) of `text` to the allowed alphabet:
 * kept when allowed, else a lookalike, else the base letters without accents (é -> e),
 * whitespace becomes a space, invisible control/format characters are dropped, and anything
 * else (emoji, CJK, ...) becomes `?`.
 */
export const transliterate = (text: string, isAllowed: (character: string) => boolean): string => {
  let out = '';
  for (const segment of graphemesOf(text)) {
    const composed = segment.normalize('NFC');
    if ([...composed].every(isAllowed)) {
      out += composed;
      continue;
    }
    const lookalike = LOOKALIKES[composed];
    if (lookalike !== undefined && [...lookalike].every(isAllowed)) {
      out += lookalike;
    } else if (FORMAT.test(composed)) {
      // zero-width space/joiner, BOM (which \s would count as a space): drop
    } else if (WHITESPACE.test(composed)) {
      out += ' ';
    } else if (CONTROL.test(composed)) {
      // NUL, BEL, ...: drop
    } else {
      const base = composed.normalize('NFKD').replace(COMBINING_MARKS, '');
      out += base !== '' && [...base].every(isAllowed) ? base : UNKNOWN;
    }
  }
  return out;
};

/** True when `character` (one code point) belongs to the GSM 03.38 basic character set. */
const isGsm7Character = (character: string): boolean => GSM7_BASIC_CHARACTERS.has(character);

/** True when every character of `text` is in the GSM 03.38 basic character set. */
export const isGsm7 = (text: string): boolean => [...text].every(isGsm7Character);

/**
 * Converts `text` to the GSM 03.38 basic character set (see {@link transliterate}). Line feeds
 * are kept (CR LF and CR become LF); no length limit is applied.
 */
export const toGsm7 = (text: string): string =>
  transliterate(
    text.replace(/\r\n?/g, '\n'),
    (character) => isGsm7Character(character) && character !== '\r',
  );

/** Replaces every run of whitespace (including line breaks) by one space and trims the ends. */
export const collapseWhitespace = (text: string): string => text.replace(/\s+/gu, ' ').trim();

const assertBudget = (max: number): void => {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Length budget must be a positive integer, got ${max}.`);
  }
};

/**
 * Cuts `text` to at most `max` characters (code points), ending with `marker` when cut.
 * Trailing spaces before the marker are removed.
 */
export const truncateEnd = (text: string, max: number, marker = TRUNCATION_MARKER): string => {
  assertBudget(max);
  const characters = [...text];
  if (characters.length <= max) return text;
  if (max <= marker.length) return characters.slice(0, max).join('');
  return (
    characters
      .slice(0, max - marker.length)
      .join('')
      .trimEnd() + marker
  );
};

/**
 * Cuts `text` to at most `max` characters (code points) by removing its middle, so that both the
 * beginning and the end stay readable: `rebound-prod-..-alb-5xx`. Resource names usually carry
 * meaning at both ends (environment prefix, metric suffix).
 */
export const truncateMiddle = (text: string, max: number, marker = TRUNCATION_MARKER): string => {
  assertBudget(max);
  const characters = [...text];
  if (characters.length <= max) return text;
  if (max <= marker.length) return characters.slice(0, max).join('');
  const kept = max - marker.length;
  const head = Math.ceil(kept / 2);
  const tail = kept - head;
  return (
    characters.slice(0, head).join('') +
    marker +
    characters.slice(characters.length - tail).join('')
  );
};

/**
 * Makes `text` fit one SMS segment: GSM 03.38 basic characters only, on one line (whitespace
 * collapsed), at most `max` characters (default 140), cut at the end with `..` when too long.
 */
export const toGsmSegment = (text: string, max = SMS_SEGMENT_LENGTH): string => {
  assertBudget(max);
  return truncateEnd(collapseWhitespace(toGsm7(text)), max);
};
