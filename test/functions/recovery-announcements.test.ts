import { readFileSync } from 'node:fs';
import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import {
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRecoveryWaits } from '../../functions/lib/aws/dynamodb-recovery-waits.js';
import { recoveryWaitItemKey } from '../../functions/lib/aws/incident-table.js';
import { SfnTaskAnswerer } from '../../functions/lib/aws/sfn-task-answerer.js';
import { classify } from '../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import {
  answerRecoveryWait,
  type RecoveryWaitStore,
  recoveryWaitEndedBy,
} from '../../functions/lib/core/recovery-announcements.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * Triage answers the run that waits for AWS to announce a recovery: which events announce which
 * wait (AWS's documented sample events), taking the token from the incident table (dynalite) and
 * answering it with SendTaskSuccess (aws-sdk-client-mock), idempotently and without ever failing
 * the event's own processing. SendTaskSuccess's errors are the Step Functions model's
 * (botocore stepfunctions service-2.json): TaskDoesNotExist, TaskTimedOut ("the task token has
 * either expired or the task associated with the token has already been closed"), InvalidToken.
 */

const SAMPLES: ShopInventory = {
  ...SHOP,
  azIdToName: { 'use1-az1': 'us-east-1c', 'use1-az2': 'us-east-1a', 'use1-az4': 'us-east-1b' },
  assumeOwned: true,
};

const signalOf = (path: string, change: (raw: Record<string, unknown>) => unknown = (r) => r) => {
  const raw = JSON.parse(
    readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
  );
  const parsed = parseIncomingEvent(change(raw));
  if (!parsed.ok || parsed.events[0] === undefined) throw new Error(`${path} must parse`);
  const signal = classify(parsed.events[0], SAMPLES);
  if (signal === null) throw new Error(`${path} must classify`);
  return signal;
};

const FAILOVER_COMPLETED = () => signalOf('rds/failover-completed-0049');

describe('which events end a recovery wait', () => {
  it.each([
    ['rds/failover-completed-0049', { runbook: 'rds-failover', resourceId: 'my-db-instance' }],
    ['rds/failover-completed-0015', { runbook: 'rds-failover', resourceId: 'my-db-instance' }],
    ['elasticache/failover-complete', { runbook: 'cache-failover', resourceId: 'mycluster' }],
    [
      'health/ec2-az-operational-issue-closed',
      { runbook: 'az-evacuation', resourceId: 'us-east-1a' },
    ],
  ])('%s ends the wait of %o', (path, wait) => {
    // Act
    const ended = recoveryWaitEndedBy(signalOf(path));

    // Assess
    expect(ended).toEqual(wait);
  });

  it.each([
    'rds/failover-started-0013',
    'health/ec2-az-operational-issue',
    'elasticache/cache-node-replace-complete',
    'rds/recovery-complete-0021',
  ])('%s ends none (a start, or not the recovery a runbook waits for)', (path) => {
    // Act
    const ended = recoveryWaitEndedBy(signalOf(path));

    // Assess
    expect(ended).toBeUndefined();
  });

  it('takes a replayed event for a record, not for news: it ends no wait', () => {
    // Prepare
    const replayed = signalOf('rds/failover-completed-0049', (raw) => ({
      ...raw,
      'replay-name': 'rebound-dev-intake-replay',
    }));

    // Act
    const ended = recoveryWaitEndedBy(replayed);

    // Assess
    expect(replayed.source.replayName).toBe('rebound-dev-intake-replay');
    expect(ended).toBeUndefined();
  });
});

const sfn = mockClient(SFNClient);
const dynamo = useDynalite();
let tables = 0;

/** A fresh incident table holding `tokens` as waits, and the adapter over it. */
const storeWith = async (tokens: Readonly<Record<string, string>>) => {
  tables += 1;
  const tableName = `recovery-waits-${tables}`;
  await createIncidentTable(dynamo.client, tableName);
  const documents = DynamoDBDocumentClient.from(dynamo.client);
  for (const [pk, token] of Object.entries(tokens)) {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk, token, execution: 'arn:aws:states:us-east-1:123456789012:execution:x:y' },
      }),
    );
  }
  return { documents, tableName, waits: new DynamoDbRecoveryWaits(documents, tableName) };
};

const DB_WAIT = recoveryWaitItemKey('rds-failover', 'my-db-instance');

describe('answering the waiting run', () => {
  beforeEach(() => {
    sfn.reset();
  });

  it('takes the token of the resource and sends it SendTaskSuccess with the event', async () => {
    // Prepare
    const { documents, tableName, waits } = await storeWith({ [DB_WAIT]: 'token-1' });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const signal = FAILOVER_COMPLETED();

    // Act
    const outcome = await answerRecoveryWait(signal, {
      waits,
      answerer: new SfnTaskAnswerer(new SFNClient({})),
    });

    // Assess
    expect(outcome).toBe('answered');
    const [call] = sfn.commandCalls(SendTaskSuccessCommand);
    expect(call?.args[0].input.taskToken).toBe('token-1');
    expect(JSON.parse(call?.args[0].input.output ?? '{}')).toEqual({
      announcedBy: signal.source.eventId,
      summary: signal.summary,
    });
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: DB_WAIT }, ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
  });

  it('answers once when the event comes twice: the second finds no wait', async () => {
    // Prepare
    const { waits } = await storeWith({ [DB_WAIT]: 'token-1' });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const deps = { waits, answerer: new SfnTaskAnswerer(new SFNClient({})) };

    // Act
    const outcomes = [
      await answerRecoveryWait(FAILOVER_COMPLETED(), deps),
      await answerRecoveryWait(FAILOVER_COMPLETED(), deps),
    ];

    // Assess
    expect(outcomes).toEqual(['answered', 'no-wait']);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it("leaves another resource's wait alone and calls nothing when none waits", async () => {
    // Prepare
    const cacheWait = recoveryWaitItemKey('cache-failover', 'my-db-instance');
    const { documents, tableName, waits } = await storeWith({ [cacheWait]: 'token-cache' });

    // Act
    const outcome = await answerRecoveryWait(FAILOVER_COMPLETED(), {
      waits,
      answerer: new SfnTaskAnswerer(new SFNClient({})),
    });

    // Assess
    expect(outcome).toBe('no-wait');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toEqual([]);
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: cacheWait }, ConsistentRead: true }),
    );
    expect(Item?.token).toBe('token-cache');
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'Invalid token', $metadata: {} })],
  ])(
    'takes %s for a stale token (the run polled on or ended): normal, not an error',
    async (_name, error) => {
      // Prepare
      const { waits } = await storeWith({ [DB_WAIT]: 'token-stale' });
      sfn.on(SendTaskSuccessCommand).rejects(error);

      // Act
      const outcome = await answerRecoveryWait(FAILOVER_COMPLETED(), {
        waits,
        answerer: new SfnTaskAnswerer(new SFNClient({})),
      });

      // Assess
      expect(outcome).toBe('gone');
    },
  );

  it('never throws: a failing store or SendTaskSuccess is reported, the event goes on', async () => {
    // Prepare
    const throttled: RecoveryWaitStore = {
      take: async () => {
        throw new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
      },
    };
    const { waits } = await storeWith({ [DB_WAIT]: 'token-1' });
    sfn.on(SendTaskSuccessCommand).rejects(new Error('socket hang up'));
    const answerer = new SfnTaskAnswerer(new SFNClient({}));

    // Act
    const outcomes = [
      await answerRecoveryWait(FAILOVER_COMPLETED(), { waits: throttled, answerer }),
      await answerRecoveryWait(FAILOVER_COMPLETED(), { waits, answerer }),
    ];

    // Assess
    expect(outcomes).toEqual([
      { failed: 'ThrottlingException: Rate exceeded' },
      { failed: 'Error: socket hang up' },
    ]);
  });

  it('does nothing for a signal that announces no recovery, or none at all', async () => {
    // Prepare
    const store: RecoveryWaitStore = {
      take: async () => {
        throw new Error('must not be asked');
      },
    };
    const answerer = new SfnTaskAnswerer(new SFNClient({}));
    const started: Signal = signalOf('rds/failover-started-0013');

    // Act
    const outcomes = [
      await answerRecoveryWait(started, { waits: store, answerer }),
      await answerRecoveryWait(null, { waits: store, answerer }),
    ];

    // Assess
    expect(outcomes).toEqual(['not-announcing', 'not-announcing']);
  });
});
