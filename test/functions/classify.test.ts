import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent, type ReboundEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/** Every documented AWS sample, classified as if its resources were the shop's. */

const SAMPLES: ShopInventory = {
  ...SHOP,
  azIdToName: { 'use1-az1': 'us-east-1c', 'use1-az2': 'us-east-1a', 'use1-az4': 'us-east-1b' },
  assumeOwned: true,
};

const eventOf = (path: string): ReboundEvent => {
  const raw = JSON.parse(
    readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
  );
  const result = parseIncomingEvent(raw);
  if (!result.ok || result.events[0] === undefined) throw new Error(`${path} must parse`);
  return result.events[0];
};

type Expected = Pick<Signal, 'kind' | 'phase' | 'severity' | 'resource' | 'partKey'> &
  Partial<Pick<Signal, 'availabilityZone' | 'selfHealing' | 'summary'>>;

const byAutoScaling = { by: 'auto-scaling', expectedWithinSeconds: 900 } as const;
const byTargetTracking = { by: 'target-tracking', expectedWithinSeconds: 900 } as const;
const ASG = { type: 'auto-scaling-group', id: 'my-auto-scaling-group' } as const;
const DB = { type: 'db-instance', id: 'my-db-instance' } as const;
const EXECUTION =
  'execution:arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name';
const AZ_ISSUE =
  'health:arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_3a1e5b8c-6d2f-4b7a-9c0e-1f2a3b4c5d6e';

const CASES: ReadonlyArray<readonly [string, Expected]> = [
  // --- EC2 Auto Scaling
  [
    'autoscaling/launch-unsuccessful',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-launch:my-auto-scaling-group',
      availabilityZone: 'us-west-2b',
      selfHealing: byAutoScaling,
    },
  ],
  [
    'autoscaling/launch-successful',
    {
      kind: 'instance-health',
      phase: 'recovered',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-launch:my-auto-scaling-group',
      availabilityZone: 'us-west-2b',
      summary: 'my-auto-scaling-group: launched i-1234567890abcdef0 in us-west-2b',
    },
  ],
  [
    'autoscaling/terminate-successful',
    {
      kind: 'instance-health',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-1234567890abcdef0' },
      partKey: 'instance:i-1234567890abcdef0',
      availabilityZone: 'us-west-2b',
      summary:
        'my-auto-scaling-group: terminated i-1234567890abcdef0 in us-west-2b after a failed health check',
    },
  ],
  [
    'autoscaling/terminate-unsuccessful',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-terminate:my-auto-scaling-group',
      availabilityZone: 'us-west-2b',
    },
  ],
  [
    'autoscaling/instance-refresh-failed',
    {
      kind: 'informational',
      phase: 'problem',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-refresh:my-auto-scaling-group',
    },
  ],
  [
    'autoscaling/instance-refresh-started',
    {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-refresh:my-auto-scaling-group',
    },
  ],
  [
    'autoscaling/instance-refresh-succeeded',
    {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: ASG,
      partKey: 'asg-refresh:my-auto-scaling-group',
    },
  ],
  [
    'autoscaling/launch-lifecycle-action',
    {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'auto-scaling-group', id: 'my-asg' },
      partKey: 'asg-lifecycle:my-asg',
    },
  ],
  // --- RDS
  [
    'rds/failover-started-0013',
    {
      kind: 'database-failover',
      phase: 'problem',
      severity: 'critical',
      resource: DB,
      partKey: 'db-failover:my-db-instance',
      selfHealing: { by: 'rds', expectedWithinSeconds: 300 },
      summary: 'my-db-instance: Multi-AZ failover started (RDS-EVENT-0013)',
    },
  ],
  [
    'rds/failover-completed-0015',
    {
      kind: 'database-failover',
      phase: 'recovered',
      severity: 'critical',
      resource: DB,
      partKey: 'db-failover:my-db-instance',
    },
  ],
  [
    'rds/failover-completed-0049',
    {
      kind: 'database-failover',
      phase: 'recovered',
      severity: 'critical',
      resource: DB,
      partKey: 'db-failover:my-db-instance',
    },
  ],
  [
    'rds/instance-stopped-0087',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'critical',
      resource: DB,
      partKey: 'db-stopped:my-db-instance',
      summary: 'my-db-instance: DB instance stopped (RDS-EVENT-0087)',
    },
  ],
  [
    'rds/instance-started-0088',
    {
      kind: 'database-degraded',
      phase: 'recovered',
      severity: 'critical',
      resource: DB,
      partKey: 'db-stopped:my-db-instance',
    },
  ],
  [
    'rds/storage-full-0007',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'critical',
      resource: DB,
      partKey: 'db-storage:my-db-instance',
    },
  ],
  [
    'rds/storage-low-0089',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: DB,
      partKey: 'db-storage:my-db-instance',
    },
  ],
  [
    'rds/read-replica-error-0045',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: DB,
      partKey: 'db-replication:my-db-instance',
    },
  ],
  [
    'rds/recovery-started-0020',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: DB,
      partKey: 'db-recovery:my-db-instance',
      selfHealing: { by: 'rds', expectedWithinSeconds: 1800 },
    },
  ],
  [
    'rds/recovery-complete-0021',
    {
      kind: 'database-degraded',
      phase: 'recovered',
      severity: 'warning',
      resource: DB,
      partKey: 'db-recovery:my-db-instance',
    },
  ],
  [
    'rds/backup-without-event-id',
    {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'db-instance', id: 'rdz6xmpliljlb1' },
      partKey: 'db-event:rdz6xmpliljlb1',
    },
  ],
  // --- AWS Health
  [
    'health/ec2-az-operational-issue',
    {
      kind: 'az-impairment',
      phase: 'problem',
      severity: 'critical',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      partKey: AZ_ISSUE,
      availabilityZone: 'us-east-1a',
      summary: 'us-east-1a (use1-az2): AWS Health AWS_EC2_OPERATIONAL_ISSUE (issue, open)',
    },
  ],
  [
    'health/ec2-az-operational-issue-closed',
    {
      kind: 'az-impairment',
      phase: 'recovered',
      severity: 'critical',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      partKey: AZ_ISSUE,
      availabilityZone: 'us-east-1a',
    },
  ],
  [
    'health/ec2-operational-issue-public',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'other', id: 'AWS_EC2_OPERATIONAL_ISSUE' },
      partKey:
        'health:arn:aws:health:af-south-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f',
    },
  ],
  [
    'health/ec2-instance-store-backup-event',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-abcd1111' },
      partKey:
        'health:arn:aws:health:us-east-1::event/AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED_90353408594353980',
    },
  ],
  [
    'health/ec2-instance-retirement-scheduled',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-1234567890abcdef0' },
      partKey:
        'health:arn:aws:health:us-east-1::event/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_90353408594353983',
      summary:
        'i-1234567890abcdef0: AWS Health AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED (scheduledChange, open, starting Thu, 27 Aug 2026 13:19:03 GMT)',
    },
  ],
  [
    'health/rds-operational-issue',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'other', id: 'AWS_RDS_OPERATIONAL_ISSUE' },
      partKey:
        'health:arn:aws:health:ap-southeast-2::event/AWS_RDS_OPERATIONAL_ISSUE_90353408594353981',
    },
  ],
  [
    'health/elasticache-operational-issue',
    {
      kind: 'cache-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'other', id: 'AWS_ELASTICACHE_OPERATIONAL_ISSUE' },
      partKey:
        'health:arn:aws:health:ap-southeast-2::event/AWS_ELASTICACHE_OPERATIONAL_ISSUE_90353408594353982',
    },
  ],
  [
    'health/elb-api-issue',
    {
      kind: 'informational',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'other', id: 'AWS_ELASTICLOADBALANCING_API_ISSUE' },
      partKey:
        'health:arn:aws:health:ap-southeast-2::event/AWS_ELASTICLOADBALANCING_API_ISSUE_90353408594353980',
      summary: 'ap-southeast-2: AWS Health AWS_ELASTICLOADBALANCING_API_ISSUE (issue, open)',
    },
  ],
  // Account-specific API issues of any service (the control plane runs on Step Functions,
  // Lambda, DynamoDB…) and abuse reports: a person must know, nothing automatic helps.
  [
    'health/states-api-issue-account',
    {
      kind: 'informational',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'other', id: 'AWS_STATES_API_ISSUE' },
      partKey: 'health:arn:aws:health:us-east-1::event/AWS_STATES_API_ISSUE_90353408594353981',
      summary: 'us-east-1: AWS Health AWS_STATES_API_ISSUE (issue, open)',
    },
  ],
  [
    'health/abuse-dos-report',
    {
      kind: 'informational',
      phase: 'problem',
      severity: 'critical',
      resource: { type: 'other', id: 'i-0a1b2c3d4e5f60718' },
      partKey:
        'health:arn:aws:health:us-east-1::event/ABUSE/AWS_ABUSE_DOS_REPORT/AWS_ABUSE_DOS_REPORT_90353408594353982',
      summary:
        'i-0a1b2c3d4e5f60718: AWS Health abuse report AWS_ABUSE_DOS_REPORT (issue, open): answer AWS Trust & Safety before AWS restricts it',
    },
  ],
  // --- Step Functions
  ...(['failed', 'timed-out', 'aborted'] as const).map(
    (status) =>
      [
        `states/execution-${status}`,
        {
          kind: 'runbook-failure',
          phase: 'problem',
          severity: 'critical',
          resource: { type: 'state-machine', id: 'state-machine' },
          partKey: EXECUTION,
        },
      ] as const,
  ),
  // --- ElastiCache through SNS
  [
    'elasticache/failover-complete',
    {
      kind: 'cache-failover',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'cache-replication-group', id: 'mycluster' },
      partKey: 'cache-failover:mycluster',
    },
  ],
  [
    'elasticache/cache-node-replace-started',
    {
      kind: 'cache-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'cache-node', id: 'mycluster-0001-002' },
      partKey: 'cache-node:mycluster-0001-002',
      selfHealing: { by: 'elasticache', expectedWithinSeconds: 1800 },
    },
  ],
  [
    'elasticache/cache-node-replace-complete',
    {
      kind: 'cache-degraded',
      phase: 'recovered',
      severity: 'warning',
      resource: { type: 'cache-node', id: 'mycluster-0001-002' },
      partKey: 'cache-node:mycluster-0001-002',
    },
  ],
  [
    'elasticache/snapshot-complete',
    {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'cache-replication-group', id: 'mycluster' },
      partKey: 'cache-event:mycluster',
    },
  ],
  // --- CloudWatch alarms (documented sample, metric fields edited)
  // CPU, network and anomaly bands on one instance are load (pressure), not sickness.
  [
    'cloudwatch/alarm-state-change-alarm',
    {
      kind: 'capacity-pressure',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      partKey: 'alarm:ServerCpuTooHigh',
      selfHealing: byTargetTracking,
      summary:
        'i-12345678901234567: Goes into alarm when server CPU utilization is too high! (ServerCpuTooHigh OK→ALARM)',
    },
  ],
  [
    'cloudwatch/alarm-state-change-ok',
    {
      kind: 'capacity-pressure',
      phase: 'recovered',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      partKey: 'alarm:ServerCpuTooHigh',
      selfHealing: byTargetTracking,
    },
  ],
  [
    'cloudwatch/alarm-metric-math-network',
    {
      kind: 'capacity-pressure',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      partKey: 'alarm:TotalNetworkTrafficTooHigh',
      selfHealing: byTargetTracking,
    },
  ],
  [
    'cloudwatch/alarm-anomaly-detection',
    {
      kind: 'capacity-pressure',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      partKey: 'alarm:EC2 CPU Utilization Anomaly',
      selfHealing: byTargetTracking,
    },
  ],
  [
    'cloudwatch/alarm-state-change-composite',
    {
      kind: 'informational',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'alarm', id: 'ServiceAggregatedAlarm' },
      partKey: 'alarm:ServiceAggregatedAlarm',
    },
  ],
  [
    'cloudwatch/alarm-instance-status-check',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      partKey: 'alarm:ServerCpuTooHigh',
    },
  ],
  [
    'cloudwatch/alarm-asg-cpu',
    {
      kind: 'capacity-pressure',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'auto-scaling-group', id: 'my-asg' },
      partKey: 'alarm:ServerCpuTooHigh',
      selfHealing: { by: 'target-tracking', expectedWithinSeconds: 900 },
    },
  ],
  [
    'cloudwatch/alarm-alb-unhealthy-hosts',
    {
      kind: 'instance-health',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'target-group', id: 'targetgroup/my-targets/73e2d6bc24d8a067' },
      partKey: 'alarm:ServerCpuTooHigh',
      availabilityZone: 'us-east-1a',
      selfHealing: byAutoScaling,
    },
  ],
  [
    'cloudwatch/alarm-rds-free-storage',
    {
      kind: 'database-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: DB,
      partKey: 'alarm:ServerCpuTooHigh',
    },
  ],
  [
    'cloudwatch/alarm-elasticache-cpu',
    {
      kind: 'cache-degraded',
      phase: 'problem',
      severity: 'warning',
      resource: { type: 'cache-replication-group', id: 'mycluster' },
      partKey: 'alarm:ServerCpuTooHigh',
    },
  ],
];

describe('classify: the documented AWS samples', () => {
  it.each(CASES)('%s', (path, expected) => {
    // Prepare
    const event = eventOf(path);

    // Act
    const signal = classify(event, SAMPLES);

    // Assess
    expect(signal).toMatchObject(expected);
    expect(signal?.source).toEqual({
      eventId: event.id,
      source: event.source,
      detailType: event['detail-type'],
      time: event.time,
      region: event.region,
      account: event.account,
    });
    if (expected.selfHealing === undefined) expect(signal?.selfHealing).toBeUndefined();
    if (expected.availabilityZone === undefined) expect(signal?.availabilityZone).toBeUndefined();
  });

  it('ignores a runbook that succeeded', () => {
    expect(classify(eventOf('states/execution-succeeded'), SAMPLES)).toBeNull();
  });

  it('writes one bounded line per signal', () => {
    for (const [path] of CASES) {
      // Act
      const signal = classify(eventOf(path), SAMPLES);

      // Assess
      expect(signal?.summary.length).toBeLessThanOrEqual(200);
      expect(signal?.summary).not.toMatch(/[\r\n]/);
    }
  });

  it('names the failed launch and why, in one line', () => {
    // Act
    const signal = classify(eventOf('autoscaling/launch-unsuccessful'), SAMPLES);

    // Assess
    expect(signal?.summary).toMatch(
      /^my-auto-scaling-group: instance launch failed in us-west-2b: We currently do not have sufficient t3\.micro capacity/,
    );
    expect(signal?.related).toEqual([{ type: 'ec2-instance', id: 'i-1234567890abcdef0' }]);
  });
});
