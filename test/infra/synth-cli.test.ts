import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function runStart(...args: string[]) {
  const result = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['infra/synth.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm start (infra/synth.ts)', () => {
  it('exits 1 with one clear line per config mistake and no stack trace', () => {
    // Act
    const { status, stdout, stderr } = runStart(
      '-c',
      'minCapacity=2',
      '--context',
      'alertSmsNumbers=5555550100',
    );

    // Assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^error: config "alertSmsNumbers": got "5555550100", expected .*E\.164/,
      ),
      expect.stringMatching(
        /^error: config "minCapacity": got "2", expected .*one instance per AZ/,
      ),
    ]);
  });

  it('exits 2 on an argument it does not understand', () => {
    // Act
    const { status, stderr } = runStart('--bogus');

    // Assess
    expect(status).toBe(2);
    expect(stderr).toMatch(/^usage: npm start -- \[-c key=value\]/);
  });
});
