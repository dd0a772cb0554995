import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyApproval } from '../../functions/lib/approval/token.js';
import { incidentItemKey } from '../../functions/lib/aws/incident-table.js';
import { manualIncident } from '../../functions/lib/runbook/runbook-incident.js';

const KEY = 'k'.repeat(64);
const TABLE = 'rebound-test-incidents';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:rebound-test-alerts';
const ENDPOINT = 'https://abc123.lambda-url.us-east-1.on.aws/';
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-rds-failover:run-1',
  name: 'run-1',
};
const target = { type: 'db-instance', id: 'rebound-test-db' } as const;
const incident = manualIncident(
  { runbook: 'rds-failover', kind: 'database-failover', target, execution: EXECUTION },
  new Date('2026-03-01T09:55:00Z'),
);

const documents = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);

/** The handler as loaded with the environment its construct sets in `mode`. */
const load = async (mode: 'links' | 'iam' = 'links') => {
  vi.resetModules();
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('INCIDENTS_TABLE', TABLE);
  vi.stubEnv('ALERTS_TOPIC_ARN', TOPIC);
  vi.stubEnv('STAGE', 'test');
  vi.stubEnv('APPROVAL_MODE', mode);
  if (mode === 'links') {
    vi.stubEnv(
      'SIGNING_KEY_SECRET_ARN',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf',
    );
    vi.stubEnv('APPROVAL_ENDPOINT_URL', ENDPOINT);
  }
  return (await import('../../functions/approvals.js')).handler;
};

const context = {
  runbook: 'rds-failover',
  incidentId: incident.id,
  target,
  execution: EXECUTION,
};

describe('approvals handler', () => {
  beforeEach(() => {
    documents.reset();
    sns.reset();
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
    documents
      .on(GetCommand, { Key: { pk: incidentItemKey(incident.id) } })
      .resolves({ Item: { pk: incidentItemKey(incident.id), incident, version: 1, active: true } });
    documents.on(PutCommand).resolves({});
    documents.on(TransactWriteCommand).resolves({});
    return () => vi.unstubAllEnvs();
  });

  it('request: stores the approval item, publishes one signed request and notes it on the incident', async () => {
    // Prepare
    const handler = await load();

    // Act
    const result = await handler({
      type: 'request',
      ...context,
      taskToken: 'task-token-1',
      action: 'force a Multi-AZ failover of rebound-test-db',
      timeoutSeconds: 1800,
    });

    // Assess
    expect(result).toMatchObject({ incidentId: incident.id, messageId: 'message-1' });
    const put = documents.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe(TABLE);
    expect(put?.Item).toMatchObject({ status: 'pending', taskToken: 'task-token-1' });
    expect(String(put?.Item?.pk)).toMatch(/^APPROVAL#[A-Za-z0-9_-]{22}$/);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.TopicArn).toBe(TOPIC);
    expect(publish?.MessageAttributes?.kind?.StringValue).toBe('approval-request');
    const email = (JSON.parse(publish?.Message ?? '{}') as { email: string }).email;
    const approve = new URL(/APPROVE: +(\S+)/.exec(email)?.[1] ?? '');
    expect(verifyApproval(KEY, Object.fromEntries(approve.searchParams), new Date()).ok).toBe(true);
    const write = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const stored = write?.TransactItems?.[0]?.Put?.Item as { incident: typeof incident };
    expect(stored.incident.timeline.at(-2)).toMatchObject({
      type: 'approval',
      decision: 'requested',
      executionName: 'run-1',
    });
  });

  it('request, IAM-only: no link, no key read, the CLI command by approval id', async () => {
    // Prepare
    const handler = await load('iam');

    // Act
    await handler({
      type: 'request',
      ...context,
      taskToken: 'task-token-1',
      action: 'force a Multi-AZ failover of rebound-test-db',
      timeoutSeconds: 1800,
    });

    // Assess
    expect(secrets).not.toHaveReceivedCommand(GetSecretValueCommand);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const email = (JSON.parse(publish?.Message ?? '{}') as { email: string }).email;
    expect(email).not.toContain(ENDPOINT);
    expect(email).not.toContain('task-token-1');
    expect(email).toMatch(
      /npm run runbook -- approve [A-Za-z0-9_-]{22} .*--stage test --region us-east-1/,
    );
  });

  it('record: returns the normalised answer the state machine branches on', async () => {
    // Prepare
    const handler = await load();

    // Act
    const result = await handler({
      type: 'record',
      ...context,
      answer: { decision: 'reject', by: 'Bob', reason: 'wait for AWS' },
    });

    // Assess
    expect(result).toEqual({
      approved: false,
      by: 'Bob',
      reason: 'wait for AWS',
      via: 'cli',
      summary: 'rejected by Bob via cli: wait for AWS',
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(documents).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('refuses a payload that is not a request or a record', async () => {
    const handler = await load();
    await expect(handler({ type: 'approve' })).rejects.toThrow(/approvals got an invalid payload/);
  });
});
