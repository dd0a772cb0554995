import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs a project script with tsx as `npm run` would (project root, Node 24), bounded in time. */
export const runScriptWithin = (timeoutMs: number, script: string, ...args: string[]) => {
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** runScriptWithin a minute. */
export const runScript = (script: string, ...args: string[]) =>
  runScriptWithin(60_000, script, ...args);
