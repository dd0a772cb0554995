import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../../functions/lib/core/guardrails.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import { InvalidInputError } from '../../../functions/lib/runbook/invalid-input.js';
import { AwsRdsReader } from '../../../runbooks/rds-failover/aws-rds-reader.js';
import { AwsReplicaLagReader } from '../../../runbooks/rds-failover/aws-replica-lag-reader.js';
import {
  assessRdsFailover,
  checkRdsFailover,
  type DbInstanceSnapshot,
  parseRdsFailoverEvent,
  type RdsFailoverEvent,
  type RdsFailoverInput,
  type RdsShop,
  verifyRdsFailover,
} from '../../../runbooks/rds-failover/steps.js';

const DB = 'rebound-prod-db';
const REPLICA_1 = 'rebound-prod-db-replica-1';
const REPLICA_2 = 'rebound-prod-db-replica-2';
const NOW = new Date('2025-01-01T12:00:00Z');
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-prod-rds-failover:manual-1',
  name: 'manual-1',
};
const SHOP: RdsShop = {
  primaryId: DB,
  replicaIds: [REPLICA_1, REPLICA_2],
  replicaLagThresholdSeconds: 30,
  primaryEndpointParameter: '/rebound/prod/db/primary-endpoint',
};

const PRIMARY: DbInstanceSnapshot = {
  id: DB,
  status: 'available',
  multiAz: true,
  availabilityZone: 'us-east-1b',
  secondaryAvailabilityZone: 'us-east-1a',
  endpointAddress: `${DB}.abc.us-east-1.rds.amazonaws.com`,
};
const replica = (id: string, overrides: Partial<DbInstanceSnapshot> = {}): DbInstanceSnapshot => ({
  id,
  status: 'available',
  multiAz: false,
  availabilityZone: 'us-east-1c',
  replicaSourceId: DB,
  replication: { status: 'replicating', normal: true },
  ...overrides,
});
const reader = (instances: readonly DbInstanceSnapshot[]) => ({
  describe: async (id: string) => instances.find((instance) => instance.id === id),
});
const HEALTHY = [PRIMARY, replica(REPLICA_1), replica(REPLICA_2)];

const event = (
  input: Partial<RdsFailoverInput> = {},
  step: 'check' | 'verify' = 'check',
): RdsFailoverEvent => ({
  step,
  input: { dbInstanceId: DB, mode: 'force', ...input },
  execution: EXECUTION,
});

describe('assessRdsFailover', () => {
  it('follows without reading anything or asking anyone', async () => {
    // Act
    const assessment = await assessRdsFailover({ dbInstanceId: DB, mode: 'follow' }, SHOP, {
      describe: () => Promise.reject(new Error('must not be called')),
    });

    // Assess
    expect(assessment).toEqual({
      type: 'follow',
      action: `follow the Multi-AZ failover of ${DB} until the new primary serves`,
      plan: { dbInstanceId: DB },
    });
  });

  it('plans a forced failover from the primary AZ to the standby AZ, with approval', async () => {
    // Act
    const assessment = await assessRdsFailover(event().input, SHOP, reader(HEALTHY));

    // Assess
    expect(assessment).toEqual({
      type: 'mutate',
      action: `force a Multi-AZ failover of ${DB} from us-east-1b to its standby in us-east-1a (RebootDBInstance with ForceFailover)`,
      plan: { dbInstanceId: DB, fromAz: 'us-east-1b', toAz: 'us-east-1a' },
      needsApproval: true,
    });
  });

  it.each(['rebooting', 'modifying', 'maintenance'])(
    'skips a forced failover while the primary is %s',
    async (status) => {
      // Act
      const assessment = await assessRdsFailover(
        event().input,
        SHOP,
        reader([{ ...PRIMARY, status }]),
      );

      // Assess
      expect(assessment).toEqual({
        type: 'stop',
        verdict: 'skip',
        reason: `${DB} is ${status}: a failover or reboot is already under way`,
      });
    },
  );

  it.each([
    [
      'Single-AZ',
      { multiAz: false, secondaryAvailabilityZone: undefined },
      /not Multi-AZ: a forced failover needs a standby/,
    ],
    ['stopped', { status: 'stopped' }, /is stopped: RDS reboots .* only an available instance/],
  ])('refuses to force a failover of a %s primary', async (_case, overrides, reason) => {
    // Act
    const assessment = await assessRdsFailover(
      event().input,
      SHOP,
      reader([{ ...PRIMARY, ...overrides }]),
    );

    // Assess
    expect(assessment).toMatchObject({ type: 'stop', verdict: 'refused' });
    expect(assessment.type === 'stop' && assessment.reason).toMatch(reason);
  });

  it('escalates (throws) when the shop primary does not exist', async () => {
    // Act / Assess
    await expect(assessRdsFailover(event().input, SHOP, reader([]))).rejects.toThrow(
      `DB instance ${DB} not found`,
    );
  });

  it('plans a promotion of an available replica, with approval', async () => {
    // Act
    const assessment = await assessRdsFailover(
      { dbInstanceId: DB, mode: 'promote-replica', replicaId: REPLICA_2 },
      SHOP,
      reader(HEALTHY),
    );

    // Assess
    expect(assessment).toEqual({
      type: 'mutate',
      action: `promote read replica ${REPLICA_2} to a standalone primary (disaster path: the app must be pointed at it)`,
      plan: { dbInstanceId: DB, replicaId: REPLICA_2, sourceId: DB },
      needsApproval: true,
    });
  });

  it.each([
    [
      'promoted already',
      [{ ...replica(REPLICA_1), replicaSourceId: undefined }],
      /not a read replica any more/,
    ],
    ['gone', [], /no longer exists/],
  ])('skips promoting a replica that is %s', async (_case, instances, reason) => {
    // Act
    const assessment = await assessRdsFailover(
      { dbInstanceId: DB, mode: 'promote-replica', replicaId: REPLICA_1 },
      SHOP,
      reader(instances),
    );

    // Assess
    expect(assessment).toMatchObject({ type: 'stop', verdict: 'skip' });
    expect(assessment.type === 'stop' && assessment.reason).toMatch(reason);
  });
});

describe('checkRdsFailover', () => {
  let incidents: MemoryIncidentStore;
  let ledger: MemoryActionLedger;
  const deps = (guardrails: Partial<Guardrails> = {}, instances = HEALTHY) => ({
    guardrails: async () => ({
      guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto' as const, ...guardrails },
      problems: [],
    }),
    db: reader(instances),
    incidents,
    ledger,
    clock: { now: () => NOW },
    warn: () => undefined,
  });
  const request = {
    budget: 'database-failover',
    maxPerHour: 2,
    resourceId: DB,
    cooldownMinutes: 15,
  };

  beforeEach(() => {
    incidents = new MemoryIncidentStore();
    ledger = new MemoryActionLedger();
  });

  it('asks for approval before a forced failover, holding the budget and the cooldown', async () => {
    // Act
    const result = await checkRdsFailover(event({ reason: 'primary hung' }), SHOP, deps());

    // Assess
    expect(result).toEqual({
      verdict: 'approve',
      reason: expect.stringMatching(
        /^force a Multi-AZ failover of rebound-prod-db from us-east-1b/,
      ),
      incidentId: expect.stringMatching(/^inc-20250101T1200-[0-9a-f]{8}$/),
      plan: { dbInstanceId: DB, fromAz: 'us-east-1b', toAz: 'us-east-1a' },
    });
    expect(await incidents.get(result.incidentId)).toMatchObject({
      status: 'open',
      kind: 'database-degraded',
      resources: [{ type: 'db-instance', id: DB }],
    });
    await expect(ledger.peek(request, NOW)).resolves.toMatchObject({ blockedBy: 'cooldown' });
  });

  it('acts at once when the auto-approved-runbooks guardrail names it', async () => {
    // Act
    const result = await checkRdsFailover(
      event(),
      SHOP,
      deps({ autoApprovedRunbooks: ['rds-failover'] }),
    );

    // Assess
    expect(result.verdict).toBe('act');
    expect((await incidents.get(result.incidentId))?.status).toBe('mitigating');
  });

  it('follows without claiming the budget', async () => {
    // Act
    const result = await checkRdsFailover(event({ mode: 'follow' }), SHOP, deps());

    // Assess
    expect(result).toMatchObject({ verdict: 'follow', plan: { dbInstanceId: DB } });
    expect((await incidents.get(result.incidentId))?.kind).toBe('database-failover');
    await expect(ledger.peek(request, NOW)).resolves.toEqual({ allowed: true });
  });

  it.each([
    [
      'another database',
      { dbInstanceId: 'other-db' },
      /must be the shop's primary DB instance rebound-prod-db/,
    ],
    [
      'a foreign replica',
      { mode: 'promote-replica' as const, replicaId: 'other' },
      /one of the shop's read replicas/,
    ],
    [
      'promote-replica without replica',
      { mode: 'promote-replica' as const },
      /one of the shop's read replicas/,
    ],
    [
      'a replicaId with force',
      { replicaId: REPLICA_1 },
      /input.replicaId is required with mode promote-replica, and only then/,
    ],
  ])('rejects %s as InvalidInput before recording anything', async (_case, input, message) => {
    // Act
    const check = checkRdsFailover(event(input), SHOP, deps());

    // Assess
    await expect(check).rejects.toThrow(InvalidInputError);
    await expect(check).rejects.toThrow(message);
    expect(await incidents.findActive([`resource:db-instance:${DB}`])).toEqual([]);
  });
});

describe('verifyRdsFailover', () => {
  it('announces where the primary runs once Multi-AZ is back and the replicas replicate', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
    });

    // Assess
    expect(result).toEqual({
      recovered: true,
      detail: `${DB} is available in us-east-1b (standby in us-east-1a); 2 replicas replicating, lag not measured`,
      availabilityZone: 'us-east-1b',
      standbyAvailabilityZone: 'us-east-1a',
      endpointAddress: PRIMARY.endpointAddress,
    });
  });

  it('reports the highest replica lag when it is measured and under the threshold', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
      replicaLag: {
        maxLagSeconds: async () =>
          new Map([
            [REPLICA_1, 0],
            [REPLICA_2, 1],
          ]),
      },
    });

    // Assess
    expect(result).toMatchObject({
      recovered: true,
      detail: `${DB} is available in us-east-1b (standby in us-east-1a); 2 replicas replicating, max lag 1 s`,
      maxReplicaLagSeconds: 1,
    });
  });

  it('is not recovered while a replica lags at or over the threshold', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
      replicaLag: { maxLagSeconds: async () => new Map([[REPLICA_2, 30]]) },
    });

    // Assess
    expect(result.recovered).toBe(false);
    expect(result.detail).toMatch(/replica rebound-prod-db-replica-2 lags 30 s \(threshold 30 s\)/);
  });

  it('is recovered with every replica just under the threshold', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
      replicaLag: {
        maxLagSeconds: async () =>
          new Map([
            [REPLICA_1, 29],
            [REPLICA_2, 4],
          ]),
      },
    });

    // Assess
    expect(result).toMatchObject({
      recovered: true,
      detail: expect.stringMatching(/2 replicas replicating, max lag 29 s$/),
      maxReplicaLagSeconds: 29,
    });
  });

  it('is not recovered while a replica has no lag datapoint, or reports -1', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
      replicaLag: { maxLagSeconds: async () => new Map([[REPLICA_2, -1]]) },
    });

    // Assess
    expect(result).toMatchObject({
      recovered: false,
      detail: `${DB} is available in us-east-1b (standby in us-east-1a); not recovered: replica ${REPLICA_1} lag unknown (no recent ReplicaLag datapoint); replica ${REPLICA_2} lag unknown (ReplicaLag -1: replication not active)`,
    });
    expect(result).not.toHaveProperty('maxReplicaLagSeconds');
  });

  it('is not recovered, without throwing, when the lag cannot be read', async () => {
    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(HEALTHY),
      replicaLag: {
        maxLagSeconds: () =>
          Promise.reject(
            Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
          ),
      },
    });

    // Assess
    expect(result.recovered).toBe(false);
    expect(result.detail).toMatch(
      /not recovered: replica lag could not be read \(ThrottlingException: Rate exceeded\)$/,
    );
  });

  it('does not read the lag of a shop without replicas', async () => {
    // Act
    const result = await verifyRdsFailover(
      event({ mode: 'follow' }, 'verify'),
      { ...SHOP, replicaIds: [] },
      {
        db: reader(HEALTHY),
        replicaLag: { maxLagSeconds: () => Promise.reject(new Error('must not be called')) },
      },
    );

    // Assess
    expect(result).toMatchObject({
      recovered: true,
      detail: `${DB} is available in us-east-1b (standby in us-east-1a); no read replicas`,
    });
  });

  it('lists every reason it is not recovered yet', async () => {
    // Prepare
    const instances = [
      { ...PRIMARY, status: 'rebooting', secondaryAvailabilityZone: undefined },
      replica(REPLICA_1, {
        replication: { status: 'error', normal: false, message: 'source unreachable' },
      }),
    ];

    // Act
    const result = await verifyRdsFailover(event({ mode: 'follow' }, 'verify'), SHOP, {
      db: reader(instances),
    });

    // Assess
    expect(result).toMatchObject({
      recovered: false,
      detail: `${DB} is rebooting in us-east-1b (no standby); not recovered: the primary is rebooting; Multi-AZ has no standby yet; replica ${REPLICA_1} replication is error (source unreachable); replica ${REPLICA_2} not found`,
    });
  });

  it('waits for a forced failover to land in the planned AZ', async () => {
    // Prepare: planned to us-east-1c; the primary is still in us-east-1b.
    const verify = event({ guardrail: { plan: { toAz: 'us-east-1c' } } }, 'verify');

    // Act
    const result = await verifyRdsFailover(verify, SHOP, { db: reader(HEALTHY) });

    // Assess
    expect(result.recovered).toBe(false);
    expect(result.detail).toMatch(/the failover to us-east-1c has not happened yet/);
  });

  it('says where a promoted replica serves and that the app still points at the old primary', async () => {
    // Prepare
    const promoted = {
      ...replica(REPLICA_1, { endpointAddress: 'r1.abc.rds.amazonaws.com' }),
      replicaSourceId: undefined,
    };
    const verify = event({ mode: 'promote-replica', replicaId: REPLICA_1 }, 'verify');

    // Act
    const before = await verifyRdsFailover(verify, SHOP, { db: reader([replica(REPLICA_1)]) });
    const after = await verifyRdsFailover(verify, SHOP, { db: reader([promoted]) });

    // Assess
    expect(before).toMatchObject({
      recovered: false,
      detail: `${REPLICA_1} is available, still a replica of ${DB}: the promotion is not complete`,
    });
    expect(after).toEqual({
      recovered: true,
      detail: `${REPLICA_1} is a standalone primary, available at r1.abc.rds.amazonaws.com; the app's SSM parameter /rebound/prod/db/primary-endpoint still names the old primary ${DB}: a person must switch it`,
      availabilityZone: 'us-east-1c',
      endpointAddress: 'r1.abc.rds.amazonaws.com',
    });
  });
});

describe('parseRdsFailoverEvent', () => {
  it.each([
    [
      'an unknown mode',
      { mode: 'reboot' },
      /^input\.mode must be one of follow, force, promote-replica$/,
    ],
    ['an unknown step', { step: 'act' }, /^step: /],
    [
      'a long reason',
      { reason: 'x'.repeat(501) },
      /^input\.reason, when given, must be a string of at most 500 characters$/,
    ],
  ])('rejects %s as InvalidInput naming the field', (_case, change, message) => {
    // Prepare
    const { step, ...input } = { step: 'check', dbInstanceId: DB, mode: 'follow', ...change };

    // Act
    const parse = () => parseRdsFailoverEvent({ step, input, execution: EXECUTION });

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(message);
  });

  it('keeps the forced failover source and target from the whole state and drops the rest', () => {
    // Act
    const parsed = parseRdsFailoverEvent({
      step: 'verify',
      input: {
        dbInstanceId: DB,
        mode: 'force',
        guardrail: { verdict: 'act', plan: { toAz: 'us-east-1a', fromAz: 'us-east-1b' } },
        poll: { attempt: 3 },
      },
      execution: EXECUTION,
    });

    // Assess
    expect(parsed.input).toEqual({
      dbInstanceId: DB,
      mode: 'force',
      guardrail: { plan: { toAz: 'us-east-1a', fromAz: 'us-east-1b' } },
    });
  });
});

describe('AwsRdsReader', () => {
  const rds = mockClient(RDSClient);
  beforeEach(() => rds.reset());

  it('reads one instance by identifier, with its replication status', async () => {
    // Prepare
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: REPLICA_1,
          DBInstanceStatus: 'available',
          MultiAZ: false,
          AvailabilityZone: 'us-east-1c',
          ReadReplicaSourceDBInstanceIdentifier: DB,
          Endpoint: { Address: 'r1.abc.rds.amazonaws.com', Port: 5432 },
          StatusInfos: [
            { StatusType: 'read replication', Normal: true, Status: 'replicating', Message: '' },
          ],
        },
      ],
    });

    // Act
    const snapshot = await new AwsRdsReader(new RDSClient({})).describe(REPLICA_1);

    // Assess
    expect(rds).toReceiveCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: REPLICA_1,
    });
    expect(snapshot).toEqual({
      id: REPLICA_1,
      status: 'available',
      multiAz: false,
      availabilityZone: 'us-east-1c',
      replicaSourceId: DB,
      endpointAddress: 'r1.abc.rds.amazonaws.com',
      replication: { status: 'replicating', normal: true },
    });
  });

  it('reads a Multi-AZ primary with its standby AZ and no replication status', async () => {
    // Prepare
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: DB,
          DBInstanceStatus: 'rebooting',
          MultiAZ: true,
          AvailabilityZone: 'us-east-1a',
          SecondaryAvailabilityZone: 'us-east-1b',
        },
      ],
    });

    // Act
    const snapshot = await new AwsRdsReader(new RDSClient({})).describe(DB);

    // Assess
    expect(snapshot).toEqual({
      id: DB,
      status: 'rebooting',
      multiAz: true,
      availabilityZone: 'us-east-1a',
      secondaryAvailabilityZone: 'us-east-1b',
    });
  });

  it('answers undefined for an instance that does not exist, and rethrows anything else', async () => {
    // Prepare
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'gone' })
      .rejects(new DBInstanceNotFoundFault({ message: 'DBInstance gone not found', $metadata: {} }))
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DB })
      .rejects(
        new RDSServiceException({
          name: 'Throttling',
          message: 'Rate exceeded',
          $fault: 'client',
          $metadata: {},
        }),
      );
    const reader = new AwsRdsReader(new RDSClient({}));

    // Act / Assess
    await expect(reader.describe('gone')).resolves.toBeUndefined();
    await expect(reader.describe(DB)).rejects.toThrow('Rate exceeded');
  });
});

describe('AwsReplicaLagReader', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  const clock = { now: () => NOW };
  const at = (iso: string) => new Date(`2025-01-01T${iso}Z`);
  beforeEach(() => cloudWatch.reset());

  it('asks for every replica in one GetMetricData call: ReplicaLag, Maximum per minute, last 5 min, newest first', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    // Act
    await new AwsReplicaLagReader(new CloudWatchClient({}), { clock }).maxLagSeconds([
      REPLICA_1,
      REPLICA_2,
    ]);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const query = (id: string, replicaId: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/RDS',
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replicaId }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    });
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [query('lag0', REPLICA_1), query('lag1', REPLICA_2)],
      StartTime: at('11:55:00'),
      EndTime: NOW,
      ScanBy: 'TimestampDescending',
    });
  });

  it("takes each replica's newest datapoint, whatever the order of the answer", async () => {
    // Prepare: replica-1 caught up since; replica-2's datapoints out of order.
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'lag1',
          Timestamps: [at('11:57:00'), at('11:59:00'), at('11:58:00')],
          Values: [40, 2.5, 12],
          StatusCode: 'Complete',
        },
        {
          Id: 'lag0',
          Timestamps: [at('11:59:00'), at('11:58:00'), at('11:57:00')],
          Values: [0, 35, 120],
          StatusCode: 'Complete',
        },
      ],
    });

    // Act
    const lags = await new AwsReplicaLagReader(new CloudWatchClient({}), {
      clock,
    }).maxLagSeconds([REPLICA_1, REPLICA_2]);

    // Assess
    expect(lags).toEqual(
      new Map([
        [REPLICA_1, 0],
        [REPLICA_2, 2.5],
      ]),
    );
  });

  it('leaves out a replica without a datapoint (its lag is unknown)', async () => {
    // Prepare: replica-2 answered with no datapoint, a third one missing from the answer.
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'lag0', Timestamps: [at('11:59:00')], Values: [7], StatusCode: 'Complete' },
        { Id: 'lag1', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
    });

    // Act
    const lags = await new AwsReplicaLagReader(new CloudWatchClient({}), {
      clock,
    }).maxLagSeconds([REPLICA_1, REPLICA_2, 'rebound-prod-db-replica-3']);

    // Assess
    expect(lags).toEqual(new Map([[REPLICA_1, 7]]));
  });

  it('keeps the newest datapoints of a partial answer without following NextToken', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'lag0', Timestamps: [at('11:59:00')], Values: [4], StatusCode: 'PartialData' },
      ],
      NextToken: 'more',
    });

    // Act
    const lags = await new AwsReplicaLagReader(new CloudWatchClient({}), {
      clock,
    }).maxLagSeconds([REPLICA_1]);

    // Assess
    expect(lags).toEqual(new Map([[REPLICA_1, 4]]));
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
  });

  it('calls nothing for no replicas and rethrows CloudWatch errors', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).rejects(new Error('Rate exceeded'));
    const reader = new AwsReplicaLagReader(new CloudWatchClient({}), { clock });

    // Act / Assess
    await expect(reader.maxLagSeconds([])).resolves.toEqual(new Map());
    expect(cloudWatch).not.toHaveReceivedCommand(GetMetricDataCommand);
    await expect(reader.maxLagSeconds([REPLICA_1])).rejects.toThrow('Rate exceeded');
  });

  it('bounds the call with an abort signal that fires after the timeout', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const client = new CloudWatchClient({});
    const send = vi.spyOn(client, 'send');

    // Act
    await new AwsReplicaLagReader(client, { clock, timeoutMs: 20 }).maxLagSeconds([REPLICA_1]);

    // Assess
    const options = send.mock.calls[0]?.[1] as { abortSignal?: AbortSignal } | undefined;
    const signal = options?.abortSignal;
    expect(signal?.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError' });
  });
});
