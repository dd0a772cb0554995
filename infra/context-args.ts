import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DEFAULTS } from './config.js';

/**
 * The CDK context of a command line, read the way `cdk` reads it: `-c key=value`,
 * `--context key=value` or `--context=key=value`, each over cdk.json's `context`. `npm start`
 * and the replay share it, so `-c stage=prod` means the same to both; loadConfig validates the
 * values.
 */

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CDK_JSON_PATH = path.join(projectRoot, 'cdk.json');

/** A `-c` argument without `key=value`: a usage error (exit 2). */
export class ContextArgError extends Error {
  override readonly name = 'ContextArgError';
}

export interface SplitArgs {
  /** `key` → `value` of every `-c key=value`, the last one winning. */
  readonly context: Readonly<Record<string, string>>;
  /** Every other argument, in order. */
  readonly rest: readonly string[];
}

/** Takes the context arguments out of `args`; throws ContextArgError for a malformed one. */
export const splitContextArgs = (args: readonly string[]): SplitArgs => {
  const context: Record<string, string> = {};
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') pair = args[++index];
    else if (arg.startsWith('--context=')) pair = arg.slice('--context='.length);
    else {
      rest.push(arg);
      continue;
    }
    const separator = pair?.indexOf('=') ?? -1;
    if (pair === undefined || separator < 1) {
      throw new ContextArgError(
        `${arg} needs key=value (got ${pair === undefined ? 'nothing' : JSON.stringify(pair)})`,
      );
    }
    context[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return { context, rest };
};

/** cdk.json's `context` (the project's defaults), or nothing when the file has none. */
export const cdkJsonContext = (file = CDK_JSON_PATH): Record<string, unknown> => {
  const cdkJson = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
};

/** The context an app is built with: cdk.json's, then the command line's over it. */
export const appContext = (cli: Readonly<Record<string, string>>): Record<string, unknown> => ({
  ...cdkJsonContext(),
  ...cli,
});

/** Help lines for `-c`: the option and every setting with its default, wrapped at 100 columns. */
export const contextOptionHelp = (): string => {
  const settings = Object.entries(CONFIG_DEFAULTS).map(
    ([key, value]) => `${key}=${value === '' ? '(unset)' : value}`,
  );
  const lines = ['    '];
  for (const setting of settings) {
    const last = lines.length - 1;
    const line = lines[last] ?? '';
    if (line.length + setting.length + 2 > 100) lines.push(`    ${setting}`);
    else lines[last] = line.trim() === '' ? `    ${setting}` : `${line}  ${setting}`;
  }
  return [
    '  -c, --context key=value  set one setting over cdk.json for this run (repeatable); the',
    '                           settings and their defaults (README "Configuration"):',
    ...lines,
  ].join('\n');
};
