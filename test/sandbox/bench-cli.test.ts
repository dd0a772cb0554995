import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';

/** `npm run bench`'s arguments: --help answers without measuring, anything else is refused. */

const bench = (...args: string[]) => runScript('sandbox/bench.ts', ...args);

describe('npm run bench arguments', () => {
  it('prints what it measures on --help and exits 0 without measuring', () => {
    // Act
    const { status, stdout, stderr } = bench('--help');

    // Assess
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('usage: npm run bench [-- --transitions | --help]');
    expect(stdout).toContain('module-load time');
    expect(stdout).not.toContain('events/s');
  });

  it('exits 2 on an argument it does not take, with the usage', () => {
    // Act
    const { status, stdout, stderr } = bench('--fast');

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'error: unknown argument "--fast"',
      'usage: npm run bench [-- --transitions | --help]',
    ]);
  });
});
