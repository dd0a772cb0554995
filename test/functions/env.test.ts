import { afterEach, describe, expect, it } from 'vitest';
import { requireEnv, requireIntegerEnv } from '../../functions/lib/env.js';

const NAME = 'REBOUND_TEST_VARIABLE';

afterEach(() => {
  delete process.env[NAME];
});

describe('requireEnv', () => {
  it('returns the value of a set variable', () => {
    // Prepare
    process.env[NAME] = 'rebound-test-web';

    // Act
    const value = requireEnv(NAME);

    // Assess
    expect(value).toBe('rebound-test-web');
  });

  it.each([
    ['unset', undefined, 'it is not set'],
    ['blank', '  ', 'it is empty'],
  ])('names a variable that is %s and says who wires it', (_case, value, why) => {
    // Prepare
    if (value !== undefined) process.env[NAME] = value;

    // Act
    const read = () => requireEnv(NAME);

    // Assess
    expect(read).toThrow(`Missing required environment variable ${NAME}: ${why}`);
    expect(read).toThrow('the CDK construct wires it');
  });
});

describe('requireIntegerEnv', () => {
  it('returns a whole number at or above the minimum', () => {
    // Prepare
    process.env[NAME] = '12';

    // Act
    const value = requireIntegerEnv(NAME, 1);

    // Assess
    expect(value).toBe(12);
  });

  it.each(['0', '2.5', 'twelve', '-3'])(
    'rejects "%s", naming the variable and its value',
    (raw) => {
      // Prepare
      process.env[NAME] = raw;

      // Act
      const read = () => requireIntegerEnv(NAME, 1);

      // Assess
      expect(read).toThrow(`${NAME} must be a whole number of at least 1, not "${raw}"`);
    },
  );
});
