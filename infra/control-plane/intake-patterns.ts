import type * as events from 'aws-cdk-lib/aws-events';
import { ARC_AUTOSHIFT_DETAIL_TYPES } from '../../functions/lib/events/arc-zonal-shift.js';

/**
 * The event patterns of the control plane's intake rules, one function per source. Values may
 * be deploy-time tokens (names imported from the shop stack). Kept apart from the constructs so
 * the replay tool and the tests read the very patterns that deploy.
 */

export interface ShopResourceNames {
  /** Exact names of the shop stack's alarms (no prefix: a prefix would take another stage's). */
  readonly shopAlarmNames: readonly string[];
  readonly autoScalingGroupName: string;
  readonly dbInstanceIds: readonly string[];
  readonly cacheReplicationGroupId: string;
  /** `app/<name>/<id>`: the ALB's CloudWatch dimension value. */
  readonly loadBalancerFullName: string;
  /** `targetgroup/<name>/<id>`. */
  readonly targetGroupFullName: string;
  readonly runbookStateMachineArns: readonly string[];
}

type Pattern = events.EventPattern & Record<string, unknown>;

const dimension = (name: string, values: readonly unknown[]) => ({
  configuration: { metrics: { metricStat: { metric: { dimensions: { [name]: values } } } } },
});

/** The shop's alarms (by name) and any alarm whose metric names a shop resource. */
export const alarmStateChangePattern = (names: ShopResourceNames): Pattern => ({
  source: ['aws.cloudwatch'],
  // Exactly this detail-type: "Alarm Configuration Change" also carries detail.state.
  detailType: ['CloudWatch Alarm State Change'],
  detail: {
    $or: [
      { alarmName: [...names.shopAlarmNames] },
      dimension('AutoScalingGroupName', [names.autoScalingGroupName]),
      dimension('DBInstanceIdentifier', [...names.dbInstanceIds]),
      dimension('ReplicationGroupId', [names.cacheReplicationGroupId]),
      dimension('CacheClusterId', [{ prefix: `${names.cacheReplicationGroupId}-` }]),
      dimension('LoadBalancer', [names.loadBalancerFullName]),
      dimension('TargetGroup', [names.targetGroupFullName]),
    ],
  },
});

export const AUTO_SCALING_DETAIL_TYPES = [
  'EC2 Instance Launch Successful',
  'EC2 Instance Launch Unsuccessful',
  'EC2 Instance Terminate Successful',
  'EC2 Instance Terminate Unsuccessful',
  'EC2 Auto Scaling Instance Refresh Started',
  'EC2 Auto Scaling Instance Refresh Succeeded',
  'EC2 Auto Scaling Instance Refresh Failed',
  'EC2 Auto Scaling Instance Refresh Cancelled',
] as const;

export const autoScalingPattern = (names: ShopResourceNames): Pattern => ({
  source: ['aws.autoscaling'],
  detailType: [...AUTO_SCALING_DETAIL_TYPES],
  detail: { AutoScalingGroupName: [names.autoScalingGroupName] },
});

/** RDS event IDs triage knows (AWS-FACTS.md); categories catch the rest of each class. */
export const RDS_EVENT_IDS = [
  '0004',
  '0006',
  '0007',
  '0013',
  '0015',
  '0020',
  '0021',
  '0031',
  '0034',
  '0045',
  '0046',
  '0049',
  '0050',
  '0051',
  '0057',
  '0062',
  '0065',
  '0087',
  '0088',
  '0089',
].map((id) => `RDS-EVENT-${id}`);
export const RDS_EVENT_CATEGORIES = [
  'failover',
  'failure',
  'availability',
  'recovery',
  'read replica',
  'low storage',
] as const;

export const rdsInstancePattern = (names: ShopResourceNames): Pattern => ({
  source: ['aws.rds'],
  detailType: ['RDS DB Instance Event'],
  detail: {
    // RDS sometimes prefixes the identifier with `rds:`.
    SourceIdentifier: names.dbInstanceIds.flatMap((id) => [id, `rds:${id}`]),
    $or: [{ EventID: RDS_EVENT_IDS }, { EventCategories: [...RDS_EVENT_CATEGORIES] }],
  },
});

export const HEALTH_SERVICES = ['EC2', 'ELASTICLOADBALANCING', 'RDS', 'ELASTICACHE'] as const;

/**
 * Health issues and scheduled changes of the services the shop runs on (AZ-scoped included),
 * abuse reports against the account, and account-specific API issues of any service (the
 * control plane itself runs on Step Functions, Lambda, DynamoDB, SNS and SSM). Detail-types:
 * AWS Health User Guide, "Reference: AWS Health events Amazon EventBridge schema".
 */
export const healthPattern = (): Pattern => ({
  source: ['aws.health'],
  detailType: ['AWS Health Event', 'AWS Health Abuse Event'],
  detail: {
    $or: [
      { service: [...HEALTH_SERVICES], eventTypeCategory: ['issue', 'scheduledChange'] },
      { service: ['ABUSE'] },
      {
        eventScopeCode: ['ACCOUNT_SPECIFIC'],
        eventTypeCategory: ['issue'],
        eventTypeCode: [{ suffix: '_API_ISSUE' }],
      },
    ],
  },
});

/**
 * One instance leaving (stopping, stopped, shutting down, terminated), a Spot interruption
 * warning or a rebalance recommendation. These events name only the instance, so the rule takes
 * them for every instance of the account and triage looks up whether it is a web instance
 * outside a scale-in (`pending`/`running` are not taken: every launch would invoke triage).
 */
export const ec2InstancePattern = (): Pattern => ({
  source: ['aws.ec2'],
  detailType: [
    'EC2 Instance State-change Notification',
    'EC2 Spot Instance Interruption Warning',
    'EC2 Instance Rebalance Recommendation',
  ],
  detail: {
    $or: [
      { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] },
      { state: [{ exists: false }] },
    ],
  },
});

/**
 * ARC zonal autoshift starting and ending (ARC Developer Guide, "Using zonal autoshift with
 * Amazon EventBridge"). The events name the shifted resources only by ARN (none in an observer
 * notification), so triage keeps those of the shop's load balancer and web group.
 */
export const arcAutoshiftPattern = (): Pattern => ({
  source: ['aws.arc-zonal-shift'],
  detailType: [...ARC_AUTOSHIFT_DETAIL_TYPES],
});

/** Rebound's own runbooks ending badly: a broken runbook is never silent. */
export const runbookFailurePattern = (names: ShopResourceNames): Pattern => ({
  source: ['aws.states'],
  detailType: ['Step Functions Execution Status Change'],
  detail: {
    status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
    stateMachineArn: [...names.runbookStateMachineArns],
  },
});

export interface IntakeRuleSpec {
  /** Rule name suffix: `rebound-<stage>-<id>`. */
  readonly id: string;
  readonly description: string;
  readonly pattern: (names: ShopResourceNames) => Pattern;
}

/** The intake rules as data: one rule per source, all to triage. */
export const INTAKE_RULES: readonly IntakeRuleSpec[] = [
  {
    id: 'alarm-state-changes',
    // The trust rule, said where the rule is read (console, replay): README "Your own alarms".
    description:
      "State changes of the shop stack's own alarms (they may act and page) and of other alarms whose metric names a shop resource (they only inform); an alarm on one instance alone is not taken",
    pattern: alarmStateChangePattern,
  },
  {
    id: 'auto-scaling-events',
    description: "Launches, terminations and instance refreshes of the shop's Auto Scaling group",
    pattern: autoScalingPattern,
  },
  {
    id: 'rds-instance-events',
    description:
      'Failover, failure, availability, recovery, replica, storage, stop and start events of the shop DB',
    pattern: rdsInstancePattern,
  },
  {
    id: 'health-events',
    description:
      'AWS Health issues and scheduled changes for EC2, ELB, RDS and ElastiCache, abuse reports, and API issues of this account with any service',
    pattern: healthPattern,
  },
  {
    id: 'ec2-instance-events',
    description:
      'Instances stopping or terminated, Spot interruption warnings and rebalance recommendations (triage keeps those of web instances outside a scale-in)',
    pattern: ec2InstancePattern,
  },
  {
    id: 'arc-autoshift-events',
    description:
      "ARC zonal autoshifts starting and ending (triage keeps those of the shop's load balancer and web group)",
    pattern: arcAutoshiftPattern,
  },
  {
    id: 'runbook-failures',
    description: "Rebound's runbook executions that failed, timed out or were aborted",
    pattern: runbookFailurePattern,
  },
];
