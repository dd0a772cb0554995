import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbActionLedger } from '../../functions/lib/aws/dynamodb-action-ledger.js';
import type { ActionLedger, ActionRequest } from '../../functions/lib/core/ports.js';
import { MemoryActionLedger } from '../../functions/lib/memory-store.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';

const dynamo = useDynalite();
let tables = 0;

const implementations: [string, () => Promise<ActionLedger>][] = [
  ['memory', async () => new MemoryActionLedger()],
  [
    'DynamoDB',
    async () => {
      tables += 1;
      const tableName = `ledger-${tables}`;
      await createIncidentTable(dynamo.client, tableName);
      return new DynamoDbActionLedger(DynamoDBDocumentClient.from(dynamo.client), tableName);
    },
  ],
];

const replace = (resourceId: string, overrides: Partial<ActionRequest> = {}): ActionRequest => ({
  budget: 'instance-replacement',
  maxPerHour: 2,
  resourceId,
  cooldownMinutes: 15,
  ...overrides,
});

const at = (time: string): Date => new Date(`2026-03-01T${time}:00.000Z`);

describe.each(implementations)('%s action ledger', (_name, makeLedger) => {
  it('allows claims within the budget and blocks the next one in the same hour', async () => {
    // Prepare
    const ledger = await makeLedger();

    // Act
    const first = await ledger.claim(replace('i-1'), at('13:00'));
    const second = await ledger.claim(replace('i-2'), at('13:20'));
    const third = await ledger.claim(replace('i-3'), at('13:40'));

    // Assess
    expect([first, second]).toEqual([{ allowed: true }, { allowed: true }]);
    expect(third).toEqual({
      allowed: false,
      blockedBy: 'budget',
      reason: '2 instance replacements in the last hour (budget 2)',
    });
  });

  it('counts only the claims of the last 60 minutes', async () => {
    // Prepare
    const ledger = await makeLedger();
    await ledger.claim(replace('i-1'), at('13:00'));
    await ledger.claim(replace('i-2'), at('13:30'));

    // Act
    const justBefore = await ledger.claim(replace('i-3'), new Date(at('14:00').getTime() - 1));
    const onTheHour = await ledger.claim(replace('i-3'), at('14:00'));
    const afterBoth = await ledger.claim(replace('i-4'), at('14:31'));

    // Assess
    expect(justBefore).toEqual({
      allowed: false,
      blockedBy: 'budget',
      reason: '2 instance replacements in the last hour (budget 2)',
    });
    expect(onTheHour).toEqual({ allowed: true });
    expect(afterBoth).toEqual({ allowed: true });
  });

  it('keeps budgets apart', async () => {
    // Prepare
    const ledger = await makeLedger();
    const failover = (resourceId: string) =>
      replace(resourceId, { budget: 'database-failover', maxPerHour: 1 });
    await ledger.claim(failover('db-1'), at('13:00'));

    // Act
    const otherBudget = await ledger.claim(replace('i-1'), at('13:01'));
    const sameBudget = await ledger.claim(failover('db-2'), at('13:02'));

    // Assess
    expect(otherBudget).toEqual({ allowed: true });
    expect(sameBudget).toEqual({
      allowed: false,
      blockedBy: 'budget',
      reason: '1 database failover in the last hour (budget 1)',
    });
  });

  it('blocks a resource during its cooldown without spending budget, and frees it after', async () => {
    // Prepare
    const ledger = await makeLedger();
    const request = replace('i-0abc', { maxPerHour: 3 });
    await ledger.claim(request, at('13:50'));

    // Act
    const cooling = await ledger.claim(request, at('14:00'));
    const other = await ledger.claim(replace('i-other', { maxPerHour: 3 }), at('14:01'));
    const cooled = await ledger.claim(request, at('14:05'));

    // Assess
    expect(cooling).toEqual({
      allowed: false,
      blockedBy: 'cooldown',
      reason: 'i-0abc in cooldown until 14:05 UTC',
    });
    expect(other).toEqual({ allowed: true });
    expect(cooled).toEqual({ allowed: true });
  });

  it('names the day of a cooldown that ends on another day', async () => {
    // Prepare
    const ledger = await makeLedger();
    const request = replace('i-1', { cooldownMinutes: 24 * 60 });
    await ledger.claim(request, new Date('2026-03-01T13:50:30.000Z'));

    // Act
    const verdict = await ledger.peek(request, at('20:00'));

    // Assess
    expect(verdict).toEqual({
      allowed: false,
      blockedBy: 'cooldown',
      reason: 'i-1 in cooldown until 2026-03-02 13:51 UTC',
    });
  });

  it('blocks everything on a budget of 0 and records nothing', async () => {
    // Prepare
    const ledger = await makeLedger();

    // Act
    const verdict = await ledger.claim(replace('i-1', { maxPerHour: 0 }), at('13:00'));
    const afterwards = await ledger.claim(replace('i-1'), at('13:01'));

    // Assess
    expect(verdict).toEqual({
      allowed: false,
      blockedBy: 'budget',
      reason: 'instance replacement budget is 0 per hour',
    });
    expect(afterwards).toEqual({ allowed: true });
  });

  it('peeks without recording anything', async () => {
    // Prepare
    const ledger = await makeLedger();

    // Act
    const peeks = [];
    for (let index = 0; index < 5; index++)
      peeks.push(await ledger.peek(replace('i-1'), at('13:00')));
    const claims = [
      await ledger.claim(replace('i-1'), at('13:01')),
      await ledger.claim(replace('i-2'), at('13:02')),
    ];
    const afterClaims = await ledger.peek(replace('i-3'), at('13:03'));

    // Assess
    expect(peeks).toEqual(Array.from({ length: 5 }, () => ({ allowed: true })));
    expect(claims).toEqual([{ allowed: true }, { allowed: true }]);
    expect(afterClaims).toMatchObject({ allowed: false, blockedBy: 'budget' });
  });

  it('allows exactly the budget among five concurrent claims', async () => {
    // Prepare
    const ledger = await makeLedger();
    const requests = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'].map((id) => replace(id));

    // Act
    const verdicts = await Promise.all(
      requests.map((request) => ledger.claim(request, at('13:00'))),
    );

    // Assess
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(2);
    expect(verdicts.filter((verdict) => !verdict.allowed)).toEqual(
      Array.from({ length: 3 }, () => ({
        allowed: false,
        blockedBy: 'budget',
        reason: '2 instance replacements in the last hour (budget 2)',
      })),
    );
    expect(await ledger.peek(replace('i-6'), at('13:01'))).toMatchObject({ blockedBy: 'budget' });
  });

  it('allows one of five concurrent claims on the same resource', async () => {
    // Prepare
    const ledger = await makeLedger();
    const request = replace('i-1', { maxPerHour: 5 });

    // Act
    const verdicts = await Promise.all(
      Array.from({ length: 5 }, () => ledger.claim(request, at('13:00'))),
    );

    // Assess
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(1);
    expect(verdicts.filter((verdict) => !verdict.allowed)).toEqual(
      Array.from({ length: 4 }, () => ({
        allowed: false,
        blockedBy: 'cooldown',
        reason: 'i-1 in cooldown until 13:15 UTC',
      })),
    );
    expect(await ledger.peek(replace('i-2', { maxPerHour: 5 }), at('13:01'))).toEqual({
      allowed: true,
    });
  });
});
