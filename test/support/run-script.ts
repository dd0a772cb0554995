import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Node with tsx's loader, as `npm run`'s tsx runs a script, in one process: the tsx command
 * starts a second Node process to run it (a tenth of a second of CPU per run, dozens of runs).
 */
export const TSX_NODE_ARGS = ['--import', 'tsx'] as const;

/** Runs a project script with tsx as `npm run` would (project root, Node 24), bounded in time. */
export const runScriptWithin = (timeoutMs: number, script: string, ...args: string[]) => {
  const result = spawnSync(process.execPath, [...TSX_NODE_ARGS, script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** runScriptWithin a minute. */
export const runScript = (script: string, ...args: string[]) =>
  runScriptWithin(60_000, script, ...args);
