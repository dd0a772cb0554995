import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { type RecordResult, recordApproval } from './lib/approval/record.js';
import { type RequestResult, requestApproval } from './lib/approval/request.js';
import { parseApprovalEvent } from './lib/approval/schemas.js';
import { DynamoDbApprovalStore } from './lib/aws/dynamodb-approval-store.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { secretsManagerSigningKey } from './lib/aws/secrets-manager-signing-key.js';
import { SnsAlertPublisher } from './lib/aws/sns-alert-publisher.js';
import { systemClock } from './lib/core/ports.js';
import { requireEnv } from './lib/env.js';
import { APPROVAL_LINKS_ENVIRONMENT, APPROVALS_ENVIRONMENT } from './lib/environments.js';
import { createLogger } from './lib/logger.js';

/**
 * The approvals function every runbook's approval gate invokes (runbooks/kit/):
 * `request` (RequestApproval, `.waitForTaskToken`) stores the request and sends the approval
 * alert; `record` (RecordApproval) writes the answer on the incident timeline and returns it
 * normalised. Throws when it cannot: the state machine then escalates.
 */

const logger = createLogger('rebound-approvals');
const env = APPROVALS_ENVIRONMENT.read();
const tableName = env.INCIDENTS_TABLE;
const documents = createDocumentClient();
const incidents = new DynamoDbIncidentStore(documents, tableName);
const links =
  env.APPROVAL_MODE === 'links'
    ? (() => {
        const linksEnv = APPROVAL_LINKS_ENVIRONMENT.read();
        return {
          endpointUrl: linksEnv.APPROVAL_ENDPOINT_URL,
          signingKey: secretsManagerSigningKey(
            new SecretsManagerClient({}),
            linksEnv.SIGNING_KEY_SECRET_ARN,
          ),
        };
      })()
    : undefined;
const requestDeps = {
  approvals: new DynamoDbApprovalStore(documents, tableName),
  incidents,
  alerts: new SnsAlertPublisher(new SNSClient({}), env.ALERTS_TOPIC_ARN),
  ...(links === undefined ? {} : { links }),
  stage: env.STAGE,
  region: requireEnv('AWS_REGION'),
  clock: systemClock,
};
const recordDeps = { incidents, clock: systemClock };

export const handler = async (event: unknown): Promise<RequestResult | RecordResult> => {
  const parsed = parseApprovalEvent(event);
  if (parsed.type === 'request') {
    const result = await requestApproval(parsed, requestDeps);
    logger.info('approval requested', {
      runbook: parsed.runbook,
      executionArn: parsed.execution.id,
      ...result,
    });
    return result;
  }
  const result = await recordApproval(parsed, recordDeps);
  logger.info('approval recorded', {
    runbook: parsed.runbook,
    incidentId: parsed.incidentId,
    executionArn: parsed.execution.id,
    ...result,
  });
  return result;
};
