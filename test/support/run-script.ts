import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** Runs a project script with tsx as `npm run` would (project root, Node 24), bounded to a minute. */
export const ROOT = path.resolve(import.meta.dirname, '../..');

export const runScript = (script: string, ...args: string[]) => {
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
