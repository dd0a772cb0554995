import { describe, expect, it } from 'vitest';
import { USAGE } from '../../sandbox/bench-shop/args.js';
import { runScript } from '../support/run-script.js';

/** `npm run bench:shop`'s command line: --help and a wrong flag answer before any server starts. */

const benchShop = (...args: string[]) => runScript('sandbox/bench-shop/cli.ts', ...args);

describe('npm run bench:shop arguments', () => {
  it('prints what it measures on --help and exits 0 without starting a server', () => {
    // Act
    const { status, stdout, stderr } = benchShop('--help');

    // Assess
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe(USAGE);
    expect(stdout).toContain('Zipf');
  });

  it('exits 2 on a wrong value with one error line and the usage', () => {
    // Act
    const { status, stdout, stderr } = benchShop('--seconds', '0');

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'error: --seconds 0 must be an integer from 1 to 600',
      USAGE,
    ]);
  });
});
