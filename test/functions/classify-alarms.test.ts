import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, T0 } from './support/signals.js';

/** CloudWatch alarms on the shop's own resources: severity, phase, kind by metric, ownership. */

type JsonObject = { [key: string]: unknown };

interface AlarmChange {
  readonly alarmName?: string;
  readonly description?: string;
  readonly state?: string;
  readonly previous?: string;
  readonly namespace?: string;
  readonly metric?: string;
  readonly dimensions?: Record<string, string>;
}

/** The documented single-metric sample with the fields a test cares about replaced. */
const alarm = (change: AlarmChange = {}): unknown => {
  const event = JSON.parse(
    readFileSync(
      new URL('../fixtures/events/cloudwatch/alarm-state-change-alarm.json', import.meta.url),
      'utf8',
    ),
  );
  const detail = event.detail as JsonObject & {
    configuration: JsonObject & { metrics: Array<{ metricStat: { metric: JsonObject } }> };
    state: JsonObject;
    previousState: JsonObject;
  };
  detail.alarmName = change.alarmName ?? 'rebound-dev-web-memory';
  detail.configuration.description = change.description ?? 'Memory of one web instance';
  detail.state.value = change.state ?? 'ALARM';
  detail.previousState.value = change.previous ?? 'OK';
  const metric = detail.configuration.metrics[0]?.metricStat.metric ?? {};
  metric.namespace = change.namespace ?? 'CWAgent';
  metric.name = change.metric ?? 'mem_used_percent';
  // A web instance of the shop group: the group dimension ties the instance to the shop.
  metric.dimensions = change.dimensions ?? {
    InstanceId: 'i-0abc1234def567890',
    AutoScalingGroupName: 'rebound-dev-web',
  };
  return event;
};

const classified = (input: unknown, inventory: ShopInventory = SHOP): Signal | null => {
  const result = parseIncomingEvent(input);
  if (!result.ok || result.events[0] === undefined) throw new Error('alarm must parse');
  return classify(result.events[0], inventory);
};

describe('classify: alarm severity and phase', () => {
  it.each([
    ['[critical] Memory above 90%', 'critical'],
    ['[CRITICAL]Memory above 90%', 'critical'],
    ['[warning] Memory above 80%', 'warning'],
    ['Memory above 80%', 'warning'],
    ['Memory above 80% [critical]', 'warning'],
  ])('reads the severity of "%s" as %s', (description, severity) => {
    expect(classified(alarm({ description }))?.severity).toBe(severity);
  });

  it('drops the severity prefix from the summary', () => {
    // Act
    const signal = classified(alarm({ description: '[critical] Memory above 90%' }));

    // Assess
    expect(signal?.summary).toBe(
      'i-0abc1234def567890: Memory above 90% (rebound-dev-web-memory OK→ALARM)',
    );
  });

  it.each([
    ['ALARM', 'OK', 'problem'],
    ['ALARM', 'INSUFFICIENT_DATA', 'problem'],
    ['OK', 'ALARM', 'recovered'],
    ['OK', 'INSUFFICIENT_DATA', 'info'],
    ['INSUFFICIENT_DATA', 'ALARM', 'info'],
  ])('%s after %s is %s', (state, previous, phase) => {
    expect(classified(alarm({ state, previous }))?.phase).toBe(phase);
  });
});

describe('classify: alarm kind by metric', () => {
  const TG = 'targetgroup/rebound-dev-web/73e2d6bc24d8a067';
  const ALB = 'app/rebound-dev-alb/50dc6c495c0c9188';

  it.each<[string, AlarmChange, Partial<Signal>]>([
    [
      'memory of one instance (CWAgent)',
      {},
      {
        kind: 'instance-health',
        resource: { type: 'ec2-instance', id: 'i-0abc1234def567890' },
        selfHealing: undefined,
      },
    ],
    [
      'disk of one instance in the web tier namespace, with its group',
      {
        namespace: 'Rebound/WebTier',
        metric: 'disk_used_percent',
        dimensions: { InstanceId: 'i-0abc1234def567890', AutoScalingGroupName: 'rebound-dev-web' },
      },
      {
        kind: 'instance-health',
        resource: { type: 'ec2-instance', id: 'i-0abc1234def567890' },
        related: [{ type: 'auto-scaling-group', id: 'rebound-dev-web' }],
        selfHealing: undefined,
      },
    ],
    [
      'EC2 status check of one instance',
      { namespace: 'AWS/EC2', metric: 'StatusCheckFailed_System' },
      { kind: 'instance-health', resource: { type: 'ec2-instance', id: 'i-0abc1234def567890' } },
    ],
    [
      'unhealthy targets per AZ',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'UnHealthyHostCount',
        dimensions: { TargetGroup: TG, LoadBalancer: ALB, AvailabilityZone: 'us-east-1b' },
      },
      {
        kind: 'instance-health',
        resource: { type: 'target-group', id: TG },
        // The shop's target group serves the web group: the incident is about the group.
        related: [
          { type: 'load-balancer', id: ALB },
          { type: 'auto-scaling-group', id: 'rebound-dev-web' },
        ],
        availabilityZone: 'us-east-1b',
        selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 },
      },
    ],
    [
      'healthy targets',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'HealthyHostCount',
        dimensions: { TargetGroup: TG, LoadBalancer: ALB },
      },
      { kind: 'instance-health', selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 } },
    ],
    [
      "unhealthy targets of a target group that is not the shop's: not about the web group",
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'UnHealthyHostCount',
        dimensions: { TargetGroup: 'targetgroup/team-api/73e2d6bc24d8a067', LoadBalancer: ALB },
      },
      {
        kind: 'instance-health',
        resource: { type: 'target-group', id: 'targetgroup/team-api/73e2d6bc24d8a067' },
        related: [{ type: 'load-balancer', id: ALB }],
      },
    ],
    [
      'in-service instances of the group',
      {
        namespace: 'AWS/AutoScaling',
        metric: 'GroupInServiceInstances',
        dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
      },
      {
        kind: 'instance-health',
        resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
        selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 },
      },
    ],
    [
      'CPU of the group',
      {
        namespace: 'AWS/EC2',
        metric: 'CPUUtilization',
        dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
      },
      {
        kind: 'capacity-pressure',
        resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
        selfHealing: { by: 'target-tracking', expectedWithinSeconds: 900 },
      },
    ],
    [
      'memory of the group',
      { dimensions: { AutoScalingGroupName: 'rebound-dev-web' } },
      {
        kind: 'capacity-pressure',
        resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
      },
    ],
    [
      'target response time',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'TargetResponseTime',
        dimensions: { LoadBalancer: ALB },
      },
      {
        kind: 'capacity-pressure',
        resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
        related: [{ type: 'load-balancer', id: ALB }],
        selfHealing: { by: 'target-tracking', expectedWithinSeconds: 900 },
      },
    ],
    [
      'requests per target',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'RequestCountPerTarget',
        dimensions: { TargetGroup: TG },
      },
      { kind: 'capacity-pressure' },
    ],
    [
      'load balancer 5XX',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_ELB_5XX_Count',
        dimensions: { LoadBalancer: ALB },
      },
      {
        kind: 'informational',
        resource: { type: 'load-balancer', id: ALB },
        selfHealing: undefined,
      },
    ],
    [
      'target 5XX',
      {
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
        dimensions: { LoadBalancer: ALB, TargetGroup: TG },
      },
      {
        kind: 'informational',
        resource: { type: 'load-balancer', id: ALB },
        related: [{ type: 'target-group', id: TG }],
      },
    ],
    [
      'CloudFront error rate',
      {
        namespace: 'AWS/CloudFront',
        metric: '5xxErrorRate',
        dimensions: { DistributionId: 'E1ABCDEF2GHIJK', Region: 'Global' },
      },
      { kind: 'informational', resource: { type: 'distribution', id: 'E1ABCDEF2GHIJK' } },
    ],
    [
      'replica lag',
      {
        namespace: 'AWS/RDS',
        metric: 'ReplicaLag',
        dimensions: { DBInstanceIdentifier: 'rebound-dev-db-replica-1' },
      },
      {
        kind: 'database-degraded',
        resource: { type: 'db-instance', id: 'rebound-dev-db-replica-1' },
        related: [{ type: 'db-instance', id: 'rebound-dev-db' }],
      },
    ],
    [
      'primary DB storage',
      {
        namespace: 'AWS/RDS',
        metric: 'FreeStorageSpace',
        dimensions: { DBInstanceIdentifier: 'rebound-dev-db' },
      },
      {
        kind: 'database-degraded',
        resource: { type: 'db-instance', id: 'rebound-dev-db' },
        related: [
          { type: 'db-instance', id: 'rebound-dev-db-replica-1' },
          { type: 'db-instance', id: 'rebound-dev-db-replica-2' },
        ],
      },
    ],
    [
      'cache node CPU',
      {
        namespace: 'AWS/ElastiCache',
        metric: 'EngineCPUUtilization',
        dimensions: { CacheClusterId: 'rebound-dev-cache-0001-002', CacheNodeId: '0001' },
      },
      {
        kind: 'cache-degraded',
        resource: { type: 'cache-replication-group', id: 'rebound-dev-cache' },
        related: [{ type: 'cache-node', id: 'rebound-dev-cache-0001-002' }],
      },
    ],
    [
      'cache cluster memory (cluster mode disabled)',
      {
        namespace: 'AWS/ElastiCache',
        metric: 'DatabaseMemoryUsagePercentage',
        dimensions: { CacheClusterId: 'rebound-dev-cache-002' },
      },
      {
        kind: 'cache-degraded',
        resource: { type: 'cache-replication-group', id: 'rebound-dev-cache' },
      },
    ],
    [
      'anything else',
      { namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', dimensions: {} },
      {
        kind: 'informational',
        resource: { type: 'alarm', id: 'rebound-dev-web-memory' },
      },
    ],
  ])('%s', (_name, change, expected) => {
    // Act
    const signal = classified(alarm(change));

    // Assess
    expect(signal).toMatchObject({ phase: 'problem', partKey: 'alarm:rebound-dev-web-memory' });
    const { selfHealing, ...rest } = expected;
    expect(signal).toMatchObject(rest);
    if ('selfHealing' in expected) expect(signal?.selfHealing).toEqual(selfHealing);
  });

  it('reads the dimensions of a metric math alarm', () => {
    // Prepare
    const event = alarm() as JsonObject & {
      detail: { configuration: { metrics: JsonObject[] } };
    };
    const metrics = event.detail.configuration.metrics;
    metrics.unshift({ id: 'e1', expression: 'm1 * 2', returnData: true });

    // Act
    const signal = classified(event);

    // Assess
    expect(signal?.resource).toEqual({ type: 'ec2-instance', id: 'i-0abc1234def567890' });
  });

  it('ignores a dimension named __proto__', () => {
    // Act
    const signal = classified(
      alarm({ dimensions: { ['__proto__']: 'x', InstanceId: 'i-0abc1234' } }),
    );

    // Assess
    expect(signal?.resource).toEqual({ type: 'ec2-instance', id: 'i-0abc1234' });
  });
});

describe('classify: identifiers an alarm names', () => {
  it.each([
    ['a NUL character', '\u0000'],
    ['a path', '../i-0abc1234'],
    ['too few hex digits', 'i-0abc'],
    ['upper-case hex', 'i-0ABC1234'],
  ])(
    'holds back a shop alarm whose InstanceId is %s, without making it a resource',
    (_, instanceId) => {
      // Act
      const signal = classified(
        alarm({
          alarmName: 'rebound-dev-x',
          dimensions: { InstanceId: instanceId, AutoScalingGroupName: 'rebound-dev-web' },
        }),
      );

      // Assess
      expect(signal?.untrusted).toBe(
        `InstanceId ${JSON.stringify(instanceId)} is not an EC2 instance id`,
      );
      expect(signal?.resource.type).not.toBe('ec2-instance');
      expect(signal?.severity).toBe('warning');
    },
  );

  it.each<[string, Record<string, string>, string]>([
    [
      'an instance of another group',
      { InstanceId: 'i-0abc1234', AutoScalingGroupName: 'other' },
      'AutoScalingGroupName "other" is not the shop\'s web group',
    ],
    [
      'an instance no group ties to the shop',
      { InstanceId: 'i-0abc1234' },
      'no AutoScalingGroupName dimension ties InstanceId "i-0abc1234" to the shop',
    ],
    [
      'an AZ the shop does not run in',
      {
        InstanceId: 'i-0abc1234',
        AutoScalingGroupName: 'rebound-dev-web',
        AvailabilityZone: 'us-west-2a',
      },
      'AvailabilityZone "us-west-2a" is not one of the shop\'s AZs',
    ],
    [
      "a DB that is not the shop's",
      { DBInstanceIdentifier: 'rebound-dev-db-2' },
      'DBInstanceIdentifier "rebound-dev-db-2" is not a shop DB instance',
    ],
    [
      "a cache that is not the shop's",
      { ReplicationGroupId: 'other-cache' },
      "the cache it names is not the shop's rebound-dev-cache",
    ],
  ])('holds back a shop alarm that names %s, and says why', (_, dimensions, why) => {
    // Act
    const signal = classified(alarm({ alarmName: 'rebound-dev-x', dimensions }));

    // Assess
    expect(signal?.untrusted).toBe(why);
  });

  it('trusts an instance id of 17 hex digits that the web group dimension ties to the shop', () => {
    // Act
    const signal = classified(
      alarm({
        alarmName: 'rebound-dev-x',
        dimensions: { InstanceId: 'i-0123456789abcdef0', AutoScalingGroupName: 'rebound-dev-web' },
      }),
    );

    // Assess
    expect(signal?.resource).toEqual({ type: 'ec2-instance', id: 'i-0123456789abcdef0' });
    expect(signal?.untrusted).toBeUndefined();
  });
});

describe("triage: only the shop stack's own alarms act (issue 11 §4)", () => {
  /** An alarm event sent now (fresh), so that only trust can hold it back. */
  const live = (change: AlarmChange): unknown => ({
    ...(alarm(change) as JsonObject),
    time: T0.toISOString(),
  });
  const triaged = async (change: AlarmChange) => {
    const harness = aHarness();
    const outcome = await triageSignal(classified(live(change)), harness.deps);
    return { outcome, harness };
  };
  const HEALTHY = { InstanceId: 'i-0123456789abcdef0', AutoScalingGroupName: 'rebound-dev-web' };

  it('starts replace-unhealthy-instance for a shop alarm on a web instance (the trusted path)', async () => {
    // Act
    const { outcome, harness } = await triaged({
      alarmName: 'rebound-dev-x',
      description: '[critical] Memory above 90%',
      dimensions: HEALTHY,
    });

    // Assess
    expect(outcome.decision).toMatchObject({
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(harness.runbooks.calls).toHaveLength(1);
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it.each<[string, AlarmChange, string]>([
    [
      'a foreign alarm naming the shop group and a healthy shop instance',
      { alarmName: 'team-memory', description: '[critical] forged', dimensions: HEALTHY },
      'alarm "team-memory" is not one of the shop\'s own alarms (the shop stack\'s alarm table)',
    ],
    [
      'a shop-prefixed alarm the shop stack does not deploy',
      { alarmName: 'rebound-dev-forged', description: '[critical] forged', dimensions: HEALTHY },
      'alarm "rebound-dev-forged" is not one of the shop\'s own alarms (the shop stack\'s alarm table)',
    ],
    [
      'a shop alarm naming a well-formed instance and no group',
      {
        alarmName: 'rebound-dev-x',
        description: '[critical] forged',
        dimensions: { InstanceId: 'i-0123456789abcdef0' },
      },
      'no AutoScalingGroupName dimension ties InstanceId "i-0123456789abcdef0" to the shop',
    ],
    [
      'a shop alarm on InstanceId \\u0000',
      {
        alarmName: 'rebound-dev-x',
        description: '[critical] forged',
        dimensions: { InstanceId: '\u0000', AutoScalingGroupName: 'rebound-dev-web' },
      },
      'InstanceId "\\u0000" is not an EC2 instance id',
    ],
  ])('records %s, explains it, starts nothing and pages nobody', async (_, change, why) => {
    // Act
    const { outcome, harness } = await triaged(change);

    // Assess
    expect(outcome.decision).toMatchObject({ action: 'notify', heldBack: 'untrusted' });
    expect(outcome.decision.reason).toContain(`no runbook and no page: ${why}.`);
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.pages).toEqual([]);
    expect(harness.alerts.published.map((alert) => alert.email)).toEqual([
      expect.stringContaining('CHECK THE ALARM'),
    ]);
  });
});

describe("a storm of a team's alarms on the web group (found by the game day's alarm-storm)", () => {
  /** Team dashboard alarm `n`: its own metric, the shop's web group as its only dimension. */
  const teamAlarm = (n: number): unknown => ({
    ...(alarm({
      alarmName: `shop-team-web-${n}`,
      description: `Team dashboard alarm ${n} on the web tier`,
      namespace: 'ShopTeam/Web',
      metric: `checkout-step-${n}-errors`,
      dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
    }) as JsonObject),
    id: `team-alarm-${n}`,
    time: T0.toISOString(),
  });

  it('is about the web group, not about each alarm', () => {
    // Act
    const signal = classified(teamAlarm(1));

    // Assess
    expect(signal).toMatchObject({
      kind: 'informational',
      resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
      untrusted: expect.any(String),
    });
  });

  it('makes one incident and one email for 50 alarms, and pages nobody', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    for (let n = 1; n <= 50; n += 1) {
      await triageSignal(classified(teamAlarm(n)), harness.deps);
    }

    // Assess
    const incidents = new Set(harness.alerts.published.map((alert) => alert.incidentId));
    expect(incidents.size).toBe(1);
    expect(harness.alerts.published).toHaveLength(1);
    expect(harness.alerts.pages).toEqual([]);
    expect(harness.runbooks.calls).toEqual([]);
  });
});

describe('classify: whose alarm it is', () => {
  /** An instance alone: no dimension names a shop resource. */
  const ONE_INSTANCE = { InstanceId: 'i-0abc1234def567890' };

  it.each<[string, AlarmChange]>([
    ["named as one of the shop stack's alarms", { alarmName: 'rebound-dev-web-memory' }],
    [
      'on the shop group',
      { alarmName: 'team-cpu', dimensions: { AutoScalingGroupName: 'rebound-dev-web' } },
    ],
    [
      'on a shop DB replica',
      { alarmName: 'team-db', dimensions: { DBInstanceIdentifier: 'rebound-dev-db-replica-2' } },
    ],
    [
      'on a shop cache node',
      { alarmName: 'team-cache', dimensions: { CacheClusterId: 'rebound-dev-cache-0002-001' } },
    ],
    [
      'on the shop replication group',
      { alarmName: 'team-cache', dimensions: { ReplicationGroupId: 'rebound-dev-cache' } },
    ],
    [
      'on the shop load balancer',
      {
        alarmName: 'team-alb',
        dimensions: { LoadBalancer: 'app/rebound-dev-alb/50dc6c495c0c9188' },
      },
    ],
    [
      'on a shop target group',
      { alarmName: 'team-tg', dimensions: { TargetGroup: 'targetgroup/rebound-dev-web/73e2d6bc' } },
    ],
  ])('takes an alarm %s', (_name, change) => {
    expect(classified(alarm(change))).not.toBeNull();
  });

  it.each<[string, AlarmChange]>([
    ['of another stage', { alarmName: 'rebound-prod-web-memory', dimensions: ONE_INSTANCE }],
    [
      'whose name merely starts like the prefix',
      { alarmName: 'rebound-devops-memory', dimensions: ONE_INSTANCE },
    ],
    [
      'named with the shop prefix that the shop stack does not deploy',
      { alarmName: 'rebound-dev-web-memory-copy', dimensions: ONE_INSTANCE },
    ],
    [
      'on another group',
      { alarmName: 'team-cpu', dimensions: { AutoScalingGroupName: 'other-web' } },
    ],
    [
      'on another DB',
      { alarmName: 'team-db', dimensions: { DBInstanceIdentifier: 'rebound-dev-db-2' } },
    ],
    [
      'on another cache',
      { alarmName: 'team', dimensions: { CacheClusterId: 'other-cache-0001-001' } },
    ],
    [
      'on a load balancer of another stage',
      { alarmName: 'team-alb', dimensions: { LoadBalancer: 'app/rebound-devx/50dc6c495c0c9188' } },
    ],
    ['on an unknown instance', { alarmName: 'ServerCpuTooHigh', dimensions: ONE_INSTANCE }],
  ])('ignores an alarm %s', (_name, change) => {
    expect(classified(alarm(change))).toBeNull();
  });

  it('takes any alarm when told to assume ownership (offline replay)', () => {
    expect(
      classified(alarm({ alarmName: 'ServerCpuTooHigh' }), { ...SHOP, assumeOwned: true }),
    ).not.toBeNull();
  });
});

describe("the alarm on the web group's worst instance (web-memory-outlier: a leak on one instance)", () => {
  /**
   * AWS's documented metric math sample, its queries replaced by the shop's outlier alarm: the
   * IF over the group's Maximum (its worst instance) and Average of the agent's mem_used_percent.
   */
  const outlier = (
    worstStat = 'Maximum',
    alarmName = 'rebound-dev-web-memory-outlier',
  ): JsonObject => {
    const event = JSON.parse(
      readFileSync(
        new URL('../fixtures/events/cloudwatch/alarm-metric-math-network.json', import.meta.url),
        'utf8',
      ),
    );
    const metric = (id: string, stat: string) => ({
      id,
      metricStat: {
        metric: {
          dimensions: { AutoScalingGroupName: 'rebound-dev-web' },
          name: 'mem_used_percent',
          namespace: 'Rebound/WebTier',
        },
        period: 60,
        stat,
      },
      returnData: false,
    });
    event.time = T0.toISOString();
    event.detail.alarmName = alarmName;
    event.detail.configuration = {
      description:
        "[warning] One web instance uses 90% of its memory or more, 25 points above the group's average",
      metrics: [
        {
          id: 'expr_1',
          expression: 'IF(worst >= 90 AND worst - mean >= 25, 1, 0)',
          returnData: true,
        },
        metric('worst', worstStat),
        metric('mean', 'Average'),
      ],
    };
    return event;
  };
  const inventory: ShopInventory = {
    ...SHOP,
    shopAlarmNames: [...SHOP.shopAlarmNames, 'rebound-dev-web-memory-outlier'],
  };

  it('is a sick instance of the web group that no AWS health check heals', () => {
    // Act
    const signal = classified(outlier(), inventory);

    // Assess
    expect(signal).toMatchObject({
      kind: 'instance-health',
      phase: 'problem',
      resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
    });
    expect(signal?.selfHealing).toBeUndefined();
    expect(signal?.untrusted).toBeUndefined();
  });

  it("stays pressure on the group when the alarm reads only the group's average (load: target tracking)", () => {
    // Act
    const signal = classified(outlier('Average'), inventory);

    // Assess
    expect(signal).toMatchObject({
      kind: 'capacity-pressure',
      resource: { type: 'auto-scaling-group', id: 'rebound-dev-web' },
    });
  });

  it('starts replace-unhealthy-instance for the group, which finds the worst instance itself', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(classified(outlier(), inventory), harness.deps);

    // Assess
    expect(outcome.decision).toMatchObject({
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(harness.runbooks.calls).toEqual([
      expect.objectContaining({
        input: expect.objectContaining({
          autoScalingGroupName: 'rebound-dev-web',
          alarmName: 'rebound-dev-web-memory-outlier',
        }),
      }),
    ]);
    expect(harness.runbooks.calls[0]?.input).not.toHaveProperty('instanceId');
  });

  it("only informs when a team's alarm reads the same worst instance (not the shop's own alarm)", async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(
      classified(outlier('Maximum', 'team-memory-worst'), inventory),
      harness.deps,
    );

    // Assess
    expect(outcome.decision).not.toMatchObject({ action: 'runbook' });
    expect(harness.runbooks.calls).toEqual([]);
  });
});
