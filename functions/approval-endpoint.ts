import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { type EndpointDeps, handleEndpointRequest } from './lib/approval/answer.js';
import { messagePage, type Page } from './lib/approval/pages.js';
import { DynamoDbApprovalStore } from './lib/aws/dynamodb-approval-store.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { secretsManagerSigningKey } from './lib/aws/secrets-manager-signing-key.js';
import { SfnTaskAnswerer } from './lib/aws/sfn-task-answerer.js';
import { systemClock } from './lib/core/ports.js';
import { APPROVAL_ENDPOINT_ENVIRONMENT } from './lib/environments.js';
import { createLogger, warnThrough } from './lib/logger.js';

/**
 * The approval endpoint behind a Lambda Function URL (auth NONE: the signed link is the
 * credential). GET shows a confirmation form and never acts; POST verifies, claims the request
 * once and sends the answer to the waiting run. Always an HTML page, never a stack trace.
 */

const logger = createLogger('rebound-approval-endpoint');
const env = APPROVAL_ENDPOINT_ENVIRONMENT.read();
const deps: EndpointDeps = {
  approvals: new DynamoDbApprovalStore(createDocumentClient(), env.INCIDENTS_TABLE),
  answerer: new SfnTaskAnswerer(new SFNClient({})),
  signingKey: secretsManagerSigningKey(new SecretsManagerClient({}), env.SIGNING_KEY_SECRET_ARN),
  clock: systemClock,
  warn: warnThrough(logger),
};

/** Forms are small: name, reason and four link parameters. */
const MAX_BODY_BYTES = 16 * 1024;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

const respond = (page: Page): LambdaFunctionURLResult => ({
  statusCode: page.statusCode,
  headers: { ...HEADERS },
  body: page.body,
});

const header = (event: LambdaFunctionURLEvent, name: string): string | undefined =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** Query parameters, overridden by the form fields of a url-encoded POST body. */
const readParams = (
  event: LambdaFunctionURLEvent,
): Record<string, string | undefined> | undefined => {
  const params: Record<string, string | undefined> = { ...event.queryStringParameters };
  if (event.body === undefined || event.body === '') return params;
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64')
    : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) return undefined;
  const type = header(event, 'content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return params;
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) params[name] = value;
  return params;
};

export const handler = async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  try {
    const params = readParams(event);
    if (params === undefined) {
      return respond(messagePage(413, 'Too large', ['The form was too large.']));
    }
    const page = await handleEndpointRequest(
      {
        method: event.requestContext.http.method,
        params,
        formAction: `https://${event.requestContext.domainName}/`,
      },
      deps,
    );
    logger.info('approval endpoint answered', {
      method: event.requestContext.http.method,
      approvalId: params.id,
      decision: params.decision,
      statusCode: page.statusCode,
    });
    return respond(page);
  } catch (error) {
    logger.error('approval endpoint failed', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return respond(
      messagePage(500, 'Something went wrong', [
        'Nothing was decided. Try again in a moment, or answer with the npm run runbook command from the email.',
      ]),
    );
  }
};
