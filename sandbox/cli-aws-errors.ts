/**
 * One line for an error an AWS call threw in a command-line tool: what went wrong and what to
 * do, in the style of `npm run runbook` (runbooks/start-runbook.ts). The error names are the
 * AWS SDK for JavaScript v3's: `CredentialsProviderError` when no credentials are found, the
 * service's error code (`AccessDeniedException`, `ExpiredTokenException`…) otherwise.
 */

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
