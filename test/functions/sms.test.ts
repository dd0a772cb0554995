import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  collapseWhitespace,
  graphemesOf,
  isGsm7,
  ONE_GRAPHEME_PER_CODE_POINT,
  SMS_SEGMENT_LENGTH,
  toGsm7,
  toGsmSegment,
  truncateEnd,
  truncateMiddle,
} from '../../functions/lib/sms.js';

/** Deterministic pseudo-random generator (mulberry32), so that failures are reproducible. */
const seededRandom = (seed: number) => {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const NASTY_PIECES = [
  'rebound-prod-alb-5xx',
  '🔥',
  '👨‍👩‍👧',
  '🇺🇸',
  '👍🏽',
  'é',
  'e\u0301',
  'ç',
  '漢字',
  'Ωmega',
  '€',
  '[x]',
  '{y}',
  '~|\\^',
  '“quoted”',
  '—',
  '…',
  '\u200b',
  '\ufeff',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '\u0000',
  '  ',
  'ＡＢＣ',
  'ﬁ',
];

describe('isGsm7', () => {
  it('accepts the GSM 03.38 basic character set, accents included', () => {
    // Prepare
    const text = '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà\n';

    // Act
    const result = isGsm7(text);

    // Assess
    expect(result).toBe(true);
  });

  it.each([
    ['an emoji', 'fire 🔥'],
    ['an extension character that costs two septets', 'cost €5'],
    ['a square bracket (extension table)', '[x]'],
    ['a curly quote', '“hi”'],
    ['an accent outside GSM-7', 'á'],
  ])('rejects %s', (_label, text) => {
    // Prepare: text given by the table

    // Act
    const result = isGsm7(text);

    // Assess
    expect(result).toBe(false);
  });
});

describe('toGsm7', () => {
  it('keeps GSM-7 text unchanged', () => {
    // Prepare
    const text = 'CRITICAL rebound-prod-alb-5xx ALARM (was OK) us-east-1 £5 é';

    // Act
    const result = toGsm7(text);

    // Assess
    expect(result).toBe(text);
  });

  it.each([
    ['curly quotes', '‘a’ “b”', '\'a\' "b"'],
    ['dashes and ellipsis', 'a–b—c…', 'a-b-c...'],
    ['extension characters', '[x] {y} ~ | \\ ^ €', "(x) (y) - / / ' EUR"],
    ['accents outside GSM-7', 'Ångström café à la façade ñ ş ō', 'Ångström café à la facade ñ s o'],
    ['full-width letters and ligatures', 'ＡＢＣ ﬁle', 'ABC file'],
    ['decomposed accents', 'e\u0301', 'é'],
  ])('replaces %s with lookalikes', (_label, text, expected) => {
    // Prepare: text given by the table

    // Act
    const result = toGsm7(text);

    // Assess
    expect(result).toBe(expected);
  });

  it('replaces each emoji, even a multi-code-point one, with a single "?"', () => {
    // Prepare
    const text = 'a🔥b👨‍👩‍👧c🇺🇸d👍🏽e漢f';

    // Act
    const result = toGsm7(text);

    // Assess
    expect(result).toBe('a?b?c?d?e?f');
  });

  it('drops invisible characters and keeps line feeds', () => {
    // Prepare
    const text = 'a\u200bb\ufeffc\u0000d\r\ne\rf\tg\u00a0h';

    // Act
    const result = toGsm7(text);

    // Assess
    expect(result).toBe('abcd\ne\nf g h');
    expect(isGsm7(result)).toBe(true);
  });
});

describe('truncateEnd', () => {
  it('returns text that fits unchanged', () => {
    // Prepare
    const text = 'short';

    // Act
    const result = truncateEnd(text, 5);

    // Assess
    expect(result).toBe('short');
  });

  it('cuts to exactly the budget and ends with the marker', () => {
    // Prepare
    const text = 'abcdefghij';

    // Act
    const result = truncateEnd(text, 6);

    // Assess
    expect(result).toBe('abcd..');
  });

  it('never splits a surrogate pair', () => {
    // Prepare
    const text = '🔥'.repeat(10);

    // Act
    const result = truncateEnd(text, 5);

    // Assess
    expect([...result]).toHaveLength(5);
    expect(result.isWellFormed()).toBe(true);
  });
});

describe('truncateMiddle', () => {
  it('keeps the beginning and the end of a long name', () => {
    // Prepare
    const text = 'rebound-prod-very-long-component-name-alb-5xx';

    // Act
    const result = truncateMiddle(text, 20);

    // Assess
    expect(result).toHaveLength(20);
    expect(result).toBe('rebound-p..e-alb-5xx');
  });

  it('returns text that fits unchanged', () => {
    // Prepare
    const text = 'rebound-prod-alb-5xx';

    // Act
    const result = truncateMiddle(text, 20);

    // Assess
    expect(result).toBe(text);
  });

  it('degrades to a plain cut when the budget is smaller than the marker', () => {
    // Prepare
    const text = 'abcdef';

    // Act
    const result = truncateMiddle(text, 1);

    // Assess
    expect(result).toBe('a');
  });
});

describe('collapseWhitespace', () => {
  it('turns line breaks, tabs and runs of spaces into single spaces', () => {
    // Prepare
    const text = '  a\n\nb\t c\u00a0\u2028d  ';

    // Act
    const result = collapseWhitespace(text);

    // Assess
    expect(result).toBe('a b c d');
  });
});

describe('toGsmSegment', () => {
  it('defaults to a 140-character budget', () => {
    // Prepare
    const text = 'x'.repeat(500);

    // Act
    const result = toGsmSegment(text);

    // Assess
    expect(SMS_SEGMENT_LENGTH).toBe(140);
    expect(result).toHaveLength(140);
    expect(result.endsWith('..')).toBe(true);
  });

  it('puts the text on one line', () => {
    // Prepare
    const text = 'CRITICAL\nrebound-prod-alb-5xx\r\n  ALARM\t(was OK)';

    // Act
    const result = toGsmSegment(text);

    // Assess
    expect(result).toBe('CRITICAL rebound-prod-alb-5xx ALARM (was OK)');
  });

  it('honours a custom budget', () => {
    // Prepare
    const text = 'RESOLVED rebound-prod-alb-5xx OK (was ALARM) us-east-1';

    // Act
    const result = toGsmSegment(text, 30);

    // Assess
    expect(result).toBe('RESOLVED rebound-prod-alb-5x..');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the budget %s', (max) => {
    // Prepare
    const text = 'anything';

    // Act
    const act = () => toGsmSegment(text, max);

    // Assess
    expect(act).toThrow(RangeError);
  });

  it('always yields one line of GSM-7 within the budget, whatever the input', () => {
    // Prepare
    const random = seededRandom(20240601);
    const inputs = Array.from({ length: 300 }, () =>
      Array.from(
        { length: 1 + Math.floor(random() * 60) },
        () => NASTY_PIECES[Math.floor(random() * NASTY_PIECES.length)] ?? '',
      ).join(''),
    );
    const budgets = [140, 70, 20, 3];

    // Act
    const outputs = inputs.flatMap((input) =>
      budgets.map((max) => ({ max, sms: toGsmSegment(input, max) })),
    );

    // Assess
    for (const { max, sms } of outputs) {
      expect(sms.length).toBeLessThanOrEqual(max);
      expect(isGsm7(sms)).toBe(true);
      expect(sms).not.toMatch(/[\r\n]/);
    }
  });
});

const icuGraphemes = (text: string): string[] =>
  Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text), (s) => s.segment);

/** Every code point graphemesOf splits without a segmenter. */
const ONE_PER_CODE_POINT = ONE_GRAPHEME_PER_CODE_POINT.flatMap(([first, last]) =>
  Array.from({ length: last - first + 1 }, (_, index) => String.fromCodePoint(first + index)),
);

describe('graphemesOf', () => {
  it('takes only code points that never join a neighbour (ICU: a·c·a is three clusters, c·c two)', () => {
    for (const character of ONE_PER_CODE_POINT) {
      const name = `U+${(character.codePointAt(0) ?? 0).toString(16)}`;
      expect(icuGraphemes(`a${character}a`), name).toHaveLength(3);
      expect(icuGraphemes(character + character), name).toHaveLength(2);
    }
  });

  it('splits as Intl.Segmenter does: each of those code points alone and after the special ones', () => {
    // CR and LF, NUL, DEL, the soft hyphen (a format character), pictographs, a letter.
    const special = ['\r', '\n', '\u0000', '\u007f', '\u00ad', '©', '®', '‼', '™', '→', 'a'];
    const texts = [
      ...ONE_PER_CODE_POINT,
      ...special.flatMap((first) => ONE_PER_CODE_POINT.map((second) => first + second)),
    ];
    for (const text of texts) {
      expect(graphemesOf(text), JSON.stringify(text)).toEqual(icuGraphemes(text));
    }
  });

  it('splits as Intl.Segmenter does: random texts of those code points and of others', () => {
    const random = seededRandom(13);
    const beyond = ['\u0301', '\u200d', '\ufe0f', '👍', '🇫🇷', '한', '\u1100\u1161', '\ufeff'];
    for (let round = 0; round < 3000; round += 1) {
      const length = 1 + Math.floor(random() * 12);
      let text = '';
      for (let index = 0; index < length; index += 1) {
        text +=
          random() < 0.1
            ? beyond[Math.floor(random() * beyond.length)]
            : ONE_PER_CODE_POINT[Math.floor(random() * ONE_PER_CODE_POINT.length)];
      }
      expect(graphemesOf(text), JSON.stringify(text)).toEqual(icuGraphemes(text));
    }
  });
});

describe('the grapheme segmenter (6–10 ms to build in a fresh process)', () => {
  const Segmenter = Intl.Segmenter;
  // Intl's properties are writable at runtime; only its type declares them read-only.
  const intl = Intl as { Segmenter: typeof Intl.Segmenter };
  afterEach(() => {
    intl.Segmenter = Segmenter;
    vi.resetModules();
  });

  it('is built only when a text needs it: none at load nor for typographic text', async () => {
    let built = 0;
    intl.Segmenter = class extends Segmenter {
      constructor(...args: ConstructorParameters<typeof Segmenter>) {
        super(...args);
        built += 1;
      }
    };
    vi.resetModules();
    const sms = await import('../../functions/lib/sms.js');
    expect(built).toBe(0);

    expect(sms.toGsm7('High CPU on rebound-prod-web [asg]: 97.5%\r\nnaïve')).toBe(
      'High CPU on rebound-prod-web (asg): 97.5%\nnaive',
    );
    expect(built).toBe(0);

    const ascii = (character: string) => character < '\u0080';
    expect(sms.transliterate('OK→ALARM “quoted” — 5 €', ascii)).toBe('OK->ALARM "quoted" - 5 EUR');
    expect(built).toBe(0);

    expect(sms.transliterate('e\u0301 👍', ascii)).toBe('e ?');
    expect(sms.transliterate('한', ascii)).toBe('?');
    expect(built).toBe(1);
  });
});
