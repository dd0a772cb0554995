import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../../functions/lib/core/guardrails.js';
import { RUNBOOKS } from '../../../functions/lib/core/runbook-registry.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { InvalidInputError } from '../../../functions/lib/runbook/invalid-input.js';
import { AwsCacheReader } from '../../../runbooks/cache-failover/aws-cache-reader.js';
import {
  assessCacheFailover,
  CACHE_FAILOVER_RUNBOOK,
  type CacheFailoverDeps,
  type CacheGroupSnapshot,
  type CacheNode,
  checkCacheFailover,
  parseCacheFailoverEvent,
  verifyCacheFailover,
  verifyCacheFailoverStep,
} from '../../../runbooks/cache-failover/steps.js';

const GROUP = 'rebound-test-cache';
const NOW = new Date('2025-01-01T12:00:00Z');
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-cache-failover:manual-1',
  name: 'manual-1',
};

const node = (n: number, role: string, az: string): CacheNode => ({
  cacheClusterId: `${GROUP}-00${n}`,
  role,
  availabilityZone: az,
});
const group = (
  members: readonly CacheNode[],
  extra: Partial<Omit<CacheGroupSnapshot, 'nodeGroups'>> = {},
): CacheGroupSnapshot => ({
  replicationGroupId: GROUP,
  status: 'available',
  automaticFailover: 'enabled',
  nodeGroups: [{ nodeGroupId: '0001', members }],
  ...extra,
});
/** Primary 001 in a, replicas 002 in b and 003 in c. */
const HEALTHY = group([
  node(1, 'primary', 'us-east-1a'),
  node(2, 'replica', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);
/** After a failover away from 001: 002 is primary. */
const FAILED_OVER = group([
  node(1, 'replica', 'us-east-1a'),
  node(2, 'primary', 'us-east-1b'),
  node(3, 'replica', 'us-east-1c'),
]);

describe('assessCacheFailover', () => {
  it('follows in follow mode whatever the group is doing, planning the node group', () => {
    // Act
    const assessment = assessCacheFailover('follow', group([], { status: 'modifying' }), 2);

    // Assess
    expect(assessment).toEqual({
      type: 'follow',
      action: `follow ElastiCache's failover of ${GROUP} until a primary and 2 replicas serve in distinct AZs`,
      plan: { replicationGroupId: GROUP, nodeGroupId: '0001' },
    });
  });

  it('plans a TestFailover away from the primary, with approval, in force mode', () => {
    // Act
    const assessment = assessCacheFailover('force', HEALTHY, 2);

    // Assess
    expect(assessment).toEqual({
      type: 'mutate',
      action: `fail over ${GROUP} away from primary ${GROUP}-001 in us-east-1a (ElastiCache TestFailover)`,
      plan: {
        replicationGroupId: GROUP,
        nodeGroupId: '0001',
        primaryNode: `${GROUP}-001`,
        primaryAz: 'us-east-1a',
      },
      needsApproval: true,
    });
  });

  it.each([
    [
      'the group is not available',
      { ...HEALTHY, status: 'modifying' },
      'skip',
      `${GROUP} is modifying: a modification or failover is already under way`,
    ],
    [
      'automatic failover is disabled',
      { ...HEALTHY, automaticFailover: 'disabled' },
      'refused',
      `TestFailover needs automatic failover: ${GROUP} has automatic failover disabled`,
    ],
    [
      'no node is primary',
      group([node(1, 'unknown', 'us-east-1a'), node(2, 'replica', 'us-east-1b')]),
      'skip',
      `${GROUP} has no primary: ElastiCache is already changing roles`,
    ],
    [
      'there is no replica to promote',
      group([node(1, 'primary', 'us-east-1a')]),
      'refused',
      `${GROUP} has no replica to promote: TestFailover cannot fail over`,
    ],
  ])('stops a forced failover when %s', (_case, snapshot, verdict, reason) => {
    // Act
    const assessment = assessCacheFailover('force', snapshot, 2);

    // Assess
    expect(assessment).toEqual({ type: 'stop', verdict, reason });
  });

  it('forces only when the node AWS Health named is the primary (issue 10 #7)', () => {
    // Act
    const primaryNamed = assessCacheFailover('force', HEALTHY, 2, `${GROUP}-001`);
    const replicaNamed = assessCacheFailover('force', HEALTHY, 2, `${GROUP}-002`);
    const goneNamed = assessCacheFailover('force', HEALTHY, 2, `${GROUP}-004`);

    // Assess
    expect(primaryNamed).toMatchObject({ type: 'mutate', plan: { primaryNode: `${GROUP}-001` } });
    expect(replicaNamed).toEqual({
      type: 'stop',
      verdict: 'skip',
      reason: `${GROUP}-002 is a replica in us-east-1b, not the primary: ElastiCache replaces a failed replica by itself and failing over the primary would not help; its automatic failover stays in charge`,
    });
    expect(goneNamed).toMatchObject({
      type: 'stop',
      verdict: 'skip',
      reason: expect.stringMatching(
        new RegExp(
          `^${GROUP}-004 is not a node of ${GROUP} any more \\(ElastiCache replaced it\\)`,
        ),
      ),
    });
  });

  it('throws on a group without the node group 0001 among several (a broken deployment)', () => {
    // Prepare
    const sharded: CacheGroupSnapshot = {
      ...HEALTHY,
      nodeGroups: [
        { nodeGroupId: '0002', members: [] },
        { nodeGroupId: '0003', members: [] },
      ],
    };

    // Act
    const assess = () => assessCacheFailover('force', sharded, 2);

    // Assess
    expect(assess).toThrow(`${GROUP} has no node group 0001 (node groups: 0002, 0003)`);
  });
});

describe('verifyCacheFailover', () => {
  it('is recovered with one primary and every replica in distinct AZs', () => {
    // Act
    const verification = verifyCacheFailover(FAILED_OVER, 2);

    // Assess
    expect(verification).toEqual({
      recovered: true,
      detail: `${GROUP} is available: primary ${GROUP}-002 in us-east-1b, replicas in us-east-1a, us-east-1c`,
      status: 'available',
      primaryNode: `${GROUP}-002`,
      primaryAz: 'us-east-1b',
      replicaAzs: ['us-east-1a', 'us-east-1c'],
    });
  });

  it.each([
    [
      'the group is still modifying with no primary',
      group(
        [
          node(1, 'unknown', 'us-east-1a'),
          node(2, 'replica', 'us-east-1b'),
          node(3, 'replica', 'us-east-1c'),
        ],
        { status: 'modifying' },
      ),
      `${GROUP} is not recovered yet: status is modifying; no node is primary (nodes: ${GROUP}-001 unknown in us-east-1a, ${GROUP}-002 replica in us-east-1b, ${GROUP}-003 replica in us-east-1c)`,
    ],
    [
      'a replica is missing',
      group([node(2, 'primary', 'us-east-1b'), node(3, 'replica', 'us-east-1c')]),
      `${GROUP} is not recovered yet: 1 of 2 replicas serve (nodes: ${GROUP}-002 primary in us-east-1b, ${GROUP}-003 replica in us-east-1c)`,
    ],
    [
      'two nodes share an AZ',
      group([
        node(1, 'replica', 'us-east-1b'),
        node(2, 'primary', 'us-east-1b'),
        node(3, 'replica', 'us-east-1c'),
      ]),
      `${GROUP} is not recovered yet: nodes share an AZ: us-east-1b holds ${GROUP}-001, ${GROUP}-002 (nodes: ${GROUP}-001 replica in us-east-1b, ${GROUP}-002 primary in us-east-1b, ${GROUP}-003 replica in us-east-1c)`,
    ],
    [
      'two nodes claim primary',
      group([
        node(1, 'primary', 'us-east-1a'),
        node(2, 'primary', 'us-east-1b'),
        node(3, 'replica', 'us-east-1c'),
      ]),
      expect.stringContaining(
        `2 nodes claim primary (${GROUP}-001, ${GROUP}-002); 1 of 2 replicas`,
      ),
    ],
  ])('is not recovered when %s, saying what is missing', (_case, snapshot, detail) => {
    // Act
    const verification = verifyCacheFailover(snapshot, 2);

    // Assess
    expect(verification).toMatchObject({ recovered: false, detail });
  });

  it('after a forced failover, waits until the primary has changed', () => {
    // Act
    const before = verifyCacheFailover(HEALTHY, 2, `${GROUP}-001`);
    const after = verifyCacheFailover(FAILED_OVER, 2, `${GROUP}-001`);

    // Assess
    expect(before.recovered).toBe(false);
    expect(before.detail).toContain(
      `the primary is still ${GROUP}-001: the failover has not happened yet`,
    );
    expect(after.recovered).toBe(true);
  });
});

describe('checkCacheFailover and verifyCacheFailoverStep', () => {
  let incidents: MemoryIncidentStore;
  let ledger: MemoryActionLedger;
  const deps = (
    guardrails: Partial<Guardrails> = {},
    snapshot: CacheGroupSnapshot = HEALTHY,
  ): CacheFailoverDeps => ({
    guardrails: async () => ({
      guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto', ...guardrails },
      problems: [],
    }),
    cache: { describe: async () => snapshot },
    config: { replicationGroupId: GROUP, replicas: 2 },
    incidents,
    ledger,
    clock: { now: () => NOW },
    warn: () => undefined,
  });
  const checkEvent = (input: Record<string, unknown>) =>
    parseCacheFailoverEvent({
      step: 'check',
      input: { replicationGroupId: GROUP, ...input },
      execution: EXECUTION,
    });
  const ledgerRequest = {
    budget: 'cache-failover',
    maxPerHour: 2,
    resourceId: GROUP,
    cooldownMinutes: 15,
  };

  beforeEach(() => {
    incidents = new MemoryIncidentStore();
    ledger = new MemoryActionLedger();
  });

  it('asks for approval of a forced failover, claiming the budget and the group cooldown', async () => {
    // Prepare
    const event = checkEvent({ mode: 'force', reason: 'primary hung' });
    if (event.step !== 'check') throw new Error('expected a check event');

    // Act
    const result = await checkCacheFailover(event, deps());

    // Assess
    expect(result).toEqual({
      verdict: 'approve',
      reason: `fail over ${GROUP} away from primary ${GROUP}-001 in us-east-1a (ElastiCache TestFailover)`,
      incidentId: expect.stringMatching(/^inc-20250101T1200-[0-9a-f]{8}$/),
      plan: {
        replicationGroupId: GROUP,
        nodeGroupId: '0001',
        primaryNode: `${GROUP}-001`,
        primaryAz: 'us-east-1a',
      },
    });
    expect(await incidents.get(result.incidentId)).toMatchObject({
      status: 'open',
      kind: 'cache-degraded',
      resources: [{ type: 'cache-replication-group', id: GROUP }],
    });
    await expect(ledger.peek(ledgerRequest, NOW)).resolves.toMatchObject({
      allowed: false,
      blockedBy: 'cooldown',
    });
  });

  it('acts without asking when the runbook is auto-approved', async () => {
    // Prepare
    const event = checkEvent({ mode: 'force' });
    if (event.step !== 'check') throw new Error('expected a check event');

    // Act
    const result = await checkCacheFailover(
      event,
      deps({ autoApprovedRunbooks: [CACHE_FAILOVER_RUNBOOK] }),
    );

    // Assess
    expect(result.verdict).toBe('act');
    expect((await incidents.get(result.incidentId))?.status).toBe('mitigating');
  });

  it('follows even in dry-run and claims nothing: following mutates nothing', async () => {
    // Prepare
    const event = checkEvent({ mode: 'follow' });
    if (event.step !== 'check') throw new Error('expected a check event');

    // Act
    const result = await checkCacheFailover(event, deps({ mode: 'dry-run' }));

    // Assess
    expect(result).toMatchObject({ verdict: 'follow', plan: { nodeGroupId: '0001' } });
    expect((await incidents.get(result.incidentId))?.kind).toBe('cache-failover');
    await expect(ledger.peek(ledgerRequest, NOW)).resolves.toEqual({ allowed: true });
  });

  it('rejects a node of another replication group with InvalidInput', async () => {
    // Prepare
    const event = checkEvent({ mode: 'force', nodeId: 'someone-elses-cache-001' });
    if (event.step !== 'check') throw new Error('expected a check event');

    // Act
    const check = checkCacheFailover(event, deps());

    // Assess
    await expect(check).rejects.toThrow(
      new InvalidInputError(
        `nodeId someone-elses-cache-001 is not a node of ${GROUP} (its nodes are ${GROUP}-001, -002, …)`,
      ),
    );
  });

  it('rejects another replication group with InvalidInput', async () => {
    // Prepare
    const event = checkEvent({ replicationGroupId: 'someone-elses-cache', mode: 'force' });
    if (event.step !== 'check') throw new Error('expected a check event');

    // Act
    const check = checkCacheFailover(event, deps());

    // Assess
    await expect(check).rejects.toThrow(
      new InvalidInputError(
        `input.replicationGroupId must be the shop's cache replication group ${GROUP}, not someone-elses-cache`,
      ),
    );
  });

  it.each([
    ['force', `${GROUP}-001`, false],
    ['follow', `${GROUP}-001`, true],
  ])(
    'in %s mode, verifies against the planned primary %s: recovered %s',
    async (mode, primaryNode, recovered) => {
      // Prepare: the group is healthy, but 001 is still the primary.
      const event = parseCacheFailoverEvent({
        step: 'verify',
        input: { replicationGroupId: GROUP, mode, guardrail: { plan: { primaryNode } }, poll: {} },
        execution: EXECUTION,
      });
      if (event.step !== 'verify') throw new Error('expected a verify event');

      // Act
      const verification = await verifyCacheFailoverStep(event, deps());

      // Assess
      expect(verification.recovered).toBe(recovered);
    },
  );

  it('uses the budget the registry declares for this runbook', () => {
    // Assess
    const row = RUNBOOKS.find(({ name }) => name === CACHE_FAILOVER_RUNBOOK);
    expect(row?.budget).toEqual({ bucket: ledgerRequest.budget, perHour: 'maxActionsPerHour' });
    expect(row?.needsApproval).toBe(true);
  });
});

describe('parseCacheFailoverEvent', () => {
  it.each([
    [
      'an unknown mode',
      { step: 'check', input: { replicationGroupId: GROUP, mode: 'yolo' } },
      /^input.mode must be one of follow, force$/,
    ],
    [
      'a reason over 500 characters',
      {
        step: 'check',
        input: { replicationGroupId: GROUP, mode: 'follow', reason: 'x'.repeat(501) },
      },
      /^input.reason, when given, must be a string of at most 500 characters$/,
    ],
    [
      'an unknown step',
      { step: 'act', input: { replicationGroupId: GROUP, mode: 'follow' } },
      /step/,
    ],
  ])('raises InvalidInput on %s', (_case, payload, message) => {
    // Act
    const parse = () => parseCacheFailoverEvent({ ...payload, execution: EXECUTION });

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(message);
  });
});

describe('AwsCacheReader', () => {
  const elastiCache = mockClient(ElastiCacheClient);
  const reader = new AwsCacheReader(new ElastiCacheClient({ region: 'us-east-1' }));

  beforeEach(() => {
    elastiCache.reset();
  });

  it('reads the group, its node group and the members roles and AZs', async () => {
    // Prepare
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ReplicationGroupId: GROUP,
          Status: 'available',
          AutomaticFailover: 'enabled',
          MultiAZ: 'enabled',
          MemberClusters: [`${GROUP}-001`, `${GROUP}-002`],
          NodeGroups: [
            {
              NodeGroupId: '0001',
              Status: 'available',
              NodeGroupMembers: [
                {
                  CacheClusterId: `${GROUP}-001`,
                  CacheNodeId: '0001',
                  PreferredAvailabilityZone: 'us-east-1a',
                  CurrentRole: 'primary',
                },
                { CacheClusterId: `${GROUP}-002`, CacheNodeId: '0001' },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const snapshot = await reader.describe(GROUP);

    // Assess
    expect(snapshot).toEqual({
      replicationGroupId: GROUP,
      status: 'available',
      automaticFailover: 'enabled',
      nodeGroups: [
        {
          nodeGroupId: '0001',
          members: [
            { cacheClusterId: `${GROUP}-001`, role: 'primary', availabilityZone: 'us-east-1a' },
            { cacheClusterId: `${GROUP}-002`, role: 'unknown', availabilityZone: 'unknown' },
          ],
        },
      ],
    });
    expect(elastiCache).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {
      ReplicationGroupId: GROUP,
    });
  });

  it('throws when the shop group is missing (a broken deployment escalates)', async () => {
    // Prepare
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [] });

    // Act
    const describe = reader.describe(GROUP);

    // Assess
    await expect(describe).rejects.toThrow(`ElastiCache replication group ${GROUP} not found`);
  });

  it('lets the service error through', async () => {
    // Prepare
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({ message: 'not found', $metadata: {} }));

    // Act
    const describe = reader.describe(GROUP);

    // Assess
    await expect(describe).rejects.toBeInstanceOf(ReplicationGroupNotFoundFault);
  });
});
