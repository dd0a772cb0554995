import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MemoryApprovalStore } from '../../functions/lib/approval/memory-approval-store.js';
import type {
  ApprovalRecord,
  ApprovalStore,
  LinkAnswer,
} from '../../functions/lib/approval/ports.js';
import {
  APPROVAL_RETENTION_DAYS,
  approvalItemKey,
  DynamoDbApprovalStore,
} from '../../functions/lib/aws/dynamodb-approval-store.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';

const dynamo = useDynalite();
let tables = 0;
const newTable = async (): Promise<{ documents: DynamoDBDocumentClient; tableName: string }> => {
  tables += 1;
  const tableName = `approvals-${tables}`;
  await createIncidentTable(dynamo.client, tableName);
  return { documents: DynamoDBDocumentClient.from(dynamo.client), tableName };
};

const EXPIRES = Date.parse('2026-03-01T10:30:00Z') / 1000;
const aRecord = (id: string): ApprovalRecord => ({
  id,
  taskToken: `token-${id}`,
  runbook: 'rds-failover',
  incidentId: 'inc-20260301T0955-0a1b2c3d',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-rds-failover:run-1',
  executionName: 'run-1',
  action: 'force a Multi-AZ failover of rebound-test-db',
  target: { type: 'db-instance', id: 'rebound-test-db' },
  status: 'pending',
  requestedAt: '2026-03-01T10:00:00.000Z',
  expiresAt: EXPIRES,
});
const ANSWER: LinkAnswer = {
  decision: 'approve',
  by: 'Ana',
  reason: 'primary is hung',
  at: '2026-03-01T10:05:00.000Z',
};

const implementations: [string, () => Promise<ApprovalStore>][] = [
  ['memory', async () => new MemoryApprovalStore()],
  [
    'DynamoDB',
    async () => {
      const { documents, tableName } = await newTable();
      return new DynamoDbApprovalStore(documents, tableName);
    },
  ],
];

describe.each(implementations)('%s approval store', (_name, makeStore) => {
  it('stores a request and reads it back', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    await store.create(aRecord('a'));

    // Assess
    expect(await store.get('a')).toEqual(aRecord('a'));
    expect(await store.get('b')).toBeUndefined();
  });

  it('refuses to create the same request twice', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(aRecord('a'));

    // Act & Assess
    await expect(store.create(aRecord('a'))).rejects.toThrow();
  });

  it('lets exactly one answer claim a pending request', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(aRecord('a'));

    // Act
    const results = await Promise.all([
      store.claim('a', ANSWER),
      store.claim('a', { ...ANSWER, decision: 'reject', by: 'Bob' }),
    ]);

    // Assess
    const winners = results.filter((result) => result !== undefined);
    expect(winners).toHaveLength(1);
    expect(await store.get('a')).toEqual(winners[0]);
    expect(winners[0]?.status).toBe('answered');
    expect(await store.claim('a', ANSWER)).toBeUndefined();
  });

  it('claims nothing for a request it does not hold', async () => {
    const store = await makeStore();
    expect(await store.claim('missing', ANSWER)).toBeUndefined();
    expect(await store.get('missing')).toBeUndefined();
  });

  it('releases an undelivered answer so the request can be answered again', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(aRecord('a'));
    await store.claim('a', ANSWER);

    // Act
    await store.release('a');

    // Assess
    expect(await store.get('a')).toEqual(aRecord('a'));
    expect(await store.claim('a', ANSWER)).toEqual({
      ...aRecord('a'),
      status: 'answered',
      answer: ANSWER,
    });
  });

  it('closes an answered request the run no longer waits for, for good', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(aRecord('a'));
    await store.claim('a', ANSWER);

    // Act
    await store.close('a');
    await store.release('a');

    // Assess
    expect((await store.get('a'))?.status).toBe('closed');
    expect(await store.claim('a', ANSWER)).toBeUndefined();
  });

  it('leaves a pending request alone on release or close', async () => {
    const store = await makeStore();
    await store.create(aRecord('a'));
    await store.release('a');
    await store.close('a');
    expect(await store.get('a')).toEqual(aRecord('a'));
  });
});

describe('DynamoDB approval item', () => {
  it('lives under APPROVAL#<id> with the deadline and a TTL some days later', async () => {
    // Prepare
    const { documents, tableName } = await newTable();
    const store = new DynamoDbApprovalStore(documents, tableName);

    // Act
    await store.create(aRecord('a'));

    // Assess
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: approvalItemKey('a') } }),
    );
    expect(Item).toMatchObject({
      pk: 'APPROVAL#a',
      status: 'pending',
      taskToken: 'token-a',
      deadline: EXPIRES,
      expiresAt: EXPIRES + APPROVAL_RETENTION_DAYS * 86_400,
    });
  });
});
