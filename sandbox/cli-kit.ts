/**
 * What the operator command-line tools share, in the style of `npm run runbook`
 * (sandbox/runbook-cli/start-runbook.ts, which can adopt it): a failure carries its exit code (1 AWS,
 * 2 arguments) and its lines, printed as they are, never a stack trace; an AWS call's error
 * becomes one line saying what went wrong and what to do. The error names are the AWS SDK for
 * JavaScript v3's: `CredentialsProviderError` when no credentials are found, the service's error
 * code (`AccessDeniedException`, `ExpiredTokenException`…) otherwise.
 */

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
