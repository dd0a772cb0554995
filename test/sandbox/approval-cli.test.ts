import * as path from 'node:path';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../functions/lib/approval/ports.js';
import { DynamoDbApprovalStore } from '../../functions/lib/aws/dynamodb-approval-store.js';
import { type ApprovalCliDeps, runApprovalCli } from '../../sandbox/runbook-cli/answer-approval.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';

/**
 * `npm run runbook -- approve|reject <approval id>` over a real incident table (dynalite) and a
 * mocked Step Functions: the token is read from the store, never typed; one answer per request.
 */

const dynamo = useDynalite();
const sfn = mockClient(SFNClient);
const NOW = new Date('2026-03-01T10:05:00Z');
const TABLE = 'rebound-prod-incidents';

const aRecord = (id: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  id,
  taskToken: `token-${id}`,
  runbook: 'rds-failover',
  incidentId: 'inc-20260301T0955-0a1b2c3d',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-rds-failover:run-1',
  executionName: 'run-1',
  action: 'force a Multi-AZ failover of rebound-prod-db',
  target: { type: 'db-instance', id: 'rebound-prod-db' },
  status: 'pending',
  requestedAt: '2026-03-01T10:00:00.000Z',
  expiresAt: Date.parse('2026-03-01T10:30:00Z') / 1000,
  ...overrides,
});

let store: DynamoDbApprovalStore;
let documents: DynamoDBDocumentClient;
let tableReady = false;

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const deps: ApprovalCliDeps = {
    documents: () => documents,
    sfn: () => new SFNClient({ region: 'us-east-1' }),
    env: {},
    cdkJsonPath: path.join('/nonexistent', 'cdk.json'),
    clock: { now: () => NOW },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  };
  const code = await runApprovalCli(args, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const WHERE = ['--stage', 'prod', '--region', 'us-east-1'];

describe('npm run runbook -- approve|reject', () => {
  beforeEach(async () => {
    if (!tableReady) {
      await createIncidentTable(dynamo.client, TABLE);
      tableReady = true;
    }
    documents = DynamoDBDocumentClient.from(dynamo.client);
    store = new DynamoDbApprovalStore(documents, TABLE);
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
  });

  it('answers the run with the token from the store, claims the request, and says what follows', async () => {
    // Prepare
    await store.create(aRecord('req-approve-1'));

    // Act
    const result = await run([
      'approve',
      'req-approve-1',
      '--by',
      'Ana',
      '--reason',
      'primary is hung',
      ...WHERE,
    ]);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('approved approval request req-approve-1 as Ana: primary is hung');
    expect(result.out).toContain('runbook rds-failover goes ahead: force a Multi-AZ failover');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(sent?.taskToken).toBe('token-req-approve-1');
    expect(JSON.parse(sent?.output ?? '{}')).toEqual({
      decision: 'approve',
      by: 'Ana',
      reason: 'primary is hung',
      at: NOW.toISOString(),
      via: 'cli',
    });
    expect((await store.get('req-approve-1'))?.status).toBe('answered');
  });

  it('takes one answer per request: the second one is refused with exit 1', async () => {
    // Prepare
    await store.create(aRecord('req-twice'));
    await run(['reject', 'req-twice', '--by', 'Bob', ...WHERE]);

    // Act
    const second = await run(['approve', 'req-twice', '--by', 'Ana', ...WHERE]);

    // Assess
    expect(second.code).toBe(1);
    expect(second.err).toMatch(
      /^error: approval request req-twice was already answered: reject by Bob/,
    );
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('refuses an expired request and a missing one without answering any run', async () => {
    // Prepare
    await store.create(
      aRecord('req-old', { expiresAt: Date.parse('2026-03-01T10:00:00Z') / 1000 }),
    );

    // Act
    const expired = await run(['approve', 'req-old', '--by', 'Ana', ...WHERE]);
    const missing = await run(['approve', 'req-nope', '--by', 'Ana', ...WHERE]);

    // Assess
    expect(expired.code).toBe(1);
    expect(expired.err).toMatch(
      /^error: approval request req-old expired at 2026-03-01 10:00:00 UTC/,
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: no approval request req-nope in rebound-prod-incidents/);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('closes the request when the run no longer waits', async () => {
    // Prepare
    await store.create(aRecord('req-gone'));
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    // Act
    const result = await run(['approve', 'req-gone', '--by', 'Ana', ...WHERE]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: the run no longer waits/);
    expect((await store.get('req-gone'))?.status).toBe('closed');
  });

  it('says which permission is missing when IAM refuses the answer, and leaves the request pending', async () => {
    // Prepare
    await store.create(aRecord('req-denied'));
    const denied = Object.assign(new Error('not authorized to perform states:SendTaskSuccess'), {
      name: 'AccessDeniedException',
    });
    sfn.on(SendTaskSuccessCommand).rejects(denied);

    // Act
    const result = await run(['approve', 'req-denied', '--by', 'Ana', ...WHERE]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(
      /^error: access denied \(AccessDeniedException: .*\); your role needs .*states:SendTaskSuccess on rebound-prod-\* in us-east-1$/,
    );
    expect((await store.get('req-denied'))?.status).toBe('pending');
  });

  it.each([
    [['approve'], /needs the approval id/],
    [['approve', 'req-1'], /--by <your name> is required/],
    [['approve', 'req 1', '--by', 'Ana'], /needs the approval id/],
    [['approve', 'req-1', '--by', 'Ana', '--force'], /unexpected --force/],
    [['approve', 'req-1', '--by', 'Ana', '--stage', 'Prod!'], /stage "Prod!" is not valid/],
  ])('refuses %j with exit 2 and the usage, before any AWS call', async (args, message) => {
    // Act
    const result = await run(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('usage: npm run runbook -- approve|reject <approval id>');
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });
});
