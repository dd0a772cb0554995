import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/** `npm run bench`'s arguments: --help answers without measuring, anything else is refused. */

const ROOT = path.resolve(import.meta.dirname, '../..');
const bench = (...args: string[]) =>
  spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['sandbox/bench.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run bench arguments', () => {
  it('prints what it measures on --help and exits 0 without measuring', () => {
    // Act
    const { status, stdout, stderr } = bench('--help');

    // Assess
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('usage: npm run bench [-- --help]');
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
      'usage: npm run bench [-- --help]',
    ]);
  });
});
