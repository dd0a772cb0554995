import { describe, expect, it } from 'vitest';
import {
  collapseWhitespace,
  isGsm7,
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
