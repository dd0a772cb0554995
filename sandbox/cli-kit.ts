/**
 * What the operator command-line tools share, in the style of `npm run runbook`
 * (sandbox/runbook-cli/start-runbook.ts, which can adopt it): a failure carries its exit code (1 AWS,
 * 2 arguments) and its lines, printed as they are, never a stack trace; an AWS call's error
 * becomes one line saying what went wrong and what to do. The error names are the AWS SDK for
 * JavaScript v3's: `CredentialsProviderError` when no credentials are found, the service's error
 * code (`AccessDeniedException`, `ExpiredTokenException`…) otherwise.
 */

import { isAwsRegion, regionHint } from '../infra/aws-regions.js';
import {
  ConfigError,
  loadConfig,
  type ReboundConfig,
  STAGE_PATTERN,
  STAGE_RULE,
} from '../infra/config.js';
import { appContext, cdkJsonContext } from '../infra/context-args.js';

/** A failure to report: its exit code and its lines, printed as they are. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: 1 | 2,
    readonly lines: readonly string[],
    /** Print the usage after the lines (argument errors). */
    readonly withUsage = false,
  ) {
    super(lines.join('; '));
  }
}

/**
 * Runs a command and turns what it throws into output and an exit code: a CliError's lines
 * (and the usage when it asks), anything else as one `unexpected failure` line.
 */
export const runCliCommand = async (
  command: () => Promise<void>,
  usage: string,
  err: (text: string) => void,
): Promise<number> => {
  try {
    await command();
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) {
      // A bug here, not bad input: still one line, never a stack trace.
      err(`error: unexpected failure: ${oneLine(String(error))}`);
      return 1;
    }
    for (const line of error.lines) err(line);
    if (error.withUsage) err(usage);
    return error.exitCode;
  }
};

const CREDENTIALS_MISSING = new Set(['CredentialsProviderError']);
const CREDENTIALS_BAD = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** Any text on one line: messages from AWS may hold newlines. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

export interface AwsCallContext {
  /** The IAM actions and resource the caller's role needs, for an access-denied line. */
  readonly needs: string;
}

/** The line for a credentials, access or other failure of an AWS call (prefixed `error: `). */
export const describeAwsCallError = (error: unknown, context: AwsCallContext): string => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (CREDENTIALS_MISSING.has(name)) {
    return `error: no AWS credentials (${name}: ${message}); log in (aws sso login, aws configure or AWS_PROFILE) and retry`;
  }
  if (CREDENTIALS_BAD.has(name)) {
    return `error: AWS credentials expired or invalid (${name}: ${message}); refresh them (e.g. aws sso login) and retry`;
  }
  if (ACCESS_DENIED.has(name)) {
    return `error: access denied (${name}: ${message}); your role needs ${context.needs}`;
  }
  return `error: AWS call failed (${name}: ${message}); check your credentials, region and network and retry`;
};

/** The stage and region a command acts on, as given on the command line. */
export interface StageAndRegion {
  readonly stage?: string;
  readonly region?: string;
}

/** cdk.json's `stage` and `region`, when it has them; no file means none. */
const cdkDefaults = (file: string): StageAndRegion => {
  let context: Record<string, unknown>;
  try {
    context = cdkJsonContext(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(2, [`error: cannot read ${file}: ${oneLine((error as Error).message)}`]);
  }
  const text = (key: string) => {
    const value = context[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const stage = text('stage');
  const region = text('region');
  return { ...(stage === undefined ? {} : { stage }), ...(region === undefined ? {} : { region }) };
};

/**
 * `--stage`, else cdk.json's, else `dev`; `--region`, else `AWS_REGION`, else
 * `AWS_DEFAULT_REGION`, else cdk.json's. Both checked: a bad one is `usageError`'s line.
 */
export const resolveStageAndRegion = (
  given: StageAndRegion,
  deps: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly cdkJsonPath: string;
  },
  usageError: (message: string) => CliError,
): { stage: string; region: string } => {
  const defaults =
    given.stage !== undefined && given.region !== undefined ? {} : cdkDefaults(deps.cdkJsonPath);
  const fromEnv = (key: string) => (deps.env[key] === '' ? undefined : deps.env[key]);
  const stage = given.stage ?? defaults.stage ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw usageError(`stage "${stage}" is not valid: ${STAGE_RULE}`);
  }
  const region =
    given.region ?? fromEnv('AWS_REGION') ?? fromEnv('AWS_DEFAULT_REGION') ?? defaults.region;
  if (region === undefined) {
    throw usageError(
      'no region: pass --region, set AWS_REGION or set the "region" context in cdk.json',
    );
  }
  if (!isAwsRegion(region)) throw usageError(`region "${region}" is not ${regionHint(region)}`);
  return { stage, region };
};

/**
 * The settings `-c key=value` and cdk.json give, as `npm start` reads them (cheap: no app is
 * built), or a CliError (exit 2) with one `error:` line per problem.
 */
export const loadCliConfig = (contextArgs: Readonly<Record<string, string>>): ReboundConfig => {
  const context = appContext(contextArgs);
  try {
    return loadConfig((key) => context[key], Object.keys(context)).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(
      2,
      error.problems.map((problem) => `error: ${problem}`),
    );
  }
};

/** A usage mistake: exit 2, its line, then the usage. */
export const usageError = (message: string): CliError =>
  new CliError(2, [`error: ${message}`], true);

/**
 * Splits `args` into the values of `options` (`--flag value` or `--flag=value`, each at most
 * once) and the positional words, or `'help'` on `--help`/`-h`. Throws a usage error for an
 * unknown option, a missing value and an option given twice.
 */
export const splitCliOptions = <Key extends string>(
  args: readonly string[],
  options: Readonly<Record<string, Key>>,
): 'help' | { readonly values: Partial<Record<Key, string>>; readonly positionals: string[] } => {
  const values: Partial<Record<Key, string>> = {};
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [flag = '', inline] = arg.split(/=(.*)/s);
    const key = Object.hasOwn(options, flag) ? options[flag] : undefined;
    if (key === undefined) throw usageError(`unknown option ${flag}`);
    const value = inline ?? args[++index];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw usageError(`${flag} needs a value`);
    }
    if (values[key] !== undefined) throw usageError(`${flag} given twice`);
    values[key] = value;
  }
  return { values, positionals };
};
