import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { heartbeatRuleName } from '../../functions/lib/aws/health-metrics.js';
import { ANNOUNCED_RECOVERY_RUNBOOKS } from '../../functions/lib/core/recovery-announcements.js';
import { TRIAGE_ENVIRONMENT } from '../../functions/lib/environments.js';
import {
  AlarmedDeadLetterQueue,
  allowServiceToUseKey,
} from '../constructs/alarmed-dead-letter-queue.js';
import { ReboundFunction } from '../constructs/rebound-function.js';
import { acknowledgeFinding, nagResourceName } from '../nag.js';
import type { IGuardrailParameters } from './guardrail-parameters.js';
import { INTAKE_RULES, type ShopResourceNames } from './intake-patterns.js';
import { RecoveryChecks } from './recovery-checks.js';

/**
 * Concurrency reserved for triage: a floor no other function of the account (a flood of the
 * public approval endpoint, a busy neighbour) can take, so remediation is never throttled by
 * them. It is also triage's ceiling: an alarm storm queues in Lambda's async queue (retried for
 * hours) rather than exhausting the account. Lambda keeps at least 100 unreserved.
 */
export const TRIAGE_RESERVED_CONCURRENCY = 10;

export interface TriageProps {
  readonly namePrefix: string;
  readonly stage: string;
  readonly availabilityZones: readonly string[];
  /** The shop's AZ IDs as `AVAILABILITY_ZONE_IDS` (AvailabilityZoneIds, resolved at deploy). */
  readonly availabilityZoneIds: string;
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly databases: readonly rds.IDatabaseInstance[];
  readonly cacheReplicationGroupId: string;
  /** The replication group's notifications arrive here (SNS only; only serverless caches use EventBridge). */
  readonly cacheNotifications: sns.ITopic;
  /** Exact names of the shop stack's alarms: the only alarms that may act. */
  readonly shopAlarmNames: readonly string[];
  readonly alertsTopic: sns.ITopic;
  /** The triage dead-letter alarm publishes here (Rebound's own health, paged). */
  readonly opsTopic: sns.ITopic;
  readonly incidents: dynamodb.ITableV2;
  readonly idempotency: dynamodb.ITableV2;
  readonly guardrails: IGuardrailParameters;
  /** Runbooks triage may start, by registry name. */
  readonly runbooks: Readonly<Record<string, sfn.IStateMachine>>;
  /** How long EventBridge keeps matched events for replay. @default 90 days */
  readonly archiveRetention?: Duration;
}

/**
 * Event intake and triage: one EventBridge rule per source into the triage function (retry
 * policy and an encrypted dead-letter queue on every target), an archive of everything the
 * rules match, the cache's SNS notifications, a heartbeat rule through the same path, and an
 * alarm on the dead-letter queue that publishes to the ops topic.
 */
export class Triage extends Construct {
  public readonly function: lambda.IFunction;
  /** The function's construct: its name and role, for the health alarms. */
  public readonly reboundFunction: ReboundFunction;
  public readonly rules: events.Rule[] = [];
  /** Every 5 minutes into triage through the intake path; triage counts it (`Heartbeats`). */
  public readonly heartbeat: events.Rule;
  public readonly archive: events.Archive;
  public readonly deadLetterQueue: AlarmedDeadLetterQueue;
  public readonly recoveryChecks: RecoveryChecks;

  constructor(scope: Construct, id: string, props: TriageProps) {
    super(scope, id);
    const { namePrefix } = props;

    const key = new kms.Key(this, 'DeadLettersKey', {
      alias: `alias/${namePrefix}-triage-dlq`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EventBridge and SNS write undeliverable events into the queue, so they must use the key.
    allowServiceToUseKey(key, 'events.amazonaws.com', 'EventBridgeDeadLetters');
    allowServiceToUseKey(key, 'sns.amazonaws.com', 'SnsDeadLetters');
    this.deadLetterQueue = new AlarmedDeadLetterQueue(this, 'DeadLetters', {
      queueName: `${namePrefix}-triage-dlq`,
      key,
      whatIsLost: 'Events for triage (an incident may have gone unhandled)',
      alarmName: `${namePrefix}-triage-dead-letters`,
      alarmTopic: props.opsTopic,
    });
    const queue = this.deadLetterQueue.queue;

    const names: ShopResourceNames = {
      shopAlarmNames: props.shopAlarmNames,
      autoScalingGroupName: props.autoScalingGroup.autoScalingGroupName,
      dbInstanceIds: props.databases.map((db) => db.instanceIdentifier),
      cacheReplicationGroupId: props.cacheReplicationGroupId,
      loadBalancerFullName: props.loadBalancer.loadBalancerFullName,
      targetGroupFullName: props.targetGroup.targetGroupFullName,
      runbookStateMachineArns: Object.values(props.runbooks).map((sm) => sm.stateMachineArn),
    };

    this.recoveryChecks = new RecoveryChecks(this, 'RecoveryChecks', {
      namePrefix,
      functionName: `${namePrefix}-triage`,
      deadLetterQueue: queue,
    });
    const triage = new ReboundFunction(this, 'Function', {
      functionName: `${namePrefix}-triage`,
      description: 'Triage: AWS events to incidents, decisions, runbooks and enriched alerts',
      entry: path.join(path.dirname(fileURLToPath(import.meta.url)), '../../functions/triage.ts'),
      timeout: Duration.seconds(30),
      memorySize: 512,
      reservedConcurrentExecutions: TRIAGE_RESERVED_CONCURRENCY,
      deadLetterQueue: queue,
      environment: TRIAGE_ENVIRONMENT.values({
        STAGE: props.stage,
        NAME_PREFIX: namePrefix,
        INCIDENTS_TABLE: props.incidents.tableName,
        IDEMPOTENCY_TABLE: props.idempotency.tableName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        GUARDRAILS_PATH: props.guardrails.path,
        SHOP_ALARM_NAMES: names.shopAlarmNames.join(','),
        AUTO_SCALING_GROUP_NAME: names.autoScalingGroupName,
        TARGET_GROUP_ARN: props.targetGroup.targetGroupArn,
        DB_INSTANCE_IDS: names.dbInstanceIds.join(','),
        CACHE_REPLICATION_GROUP_ID: props.cacheReplicationGroupId,
        AVAILABILITY_ZONES: props.availabilityZones.join(','),
        AVAILABILITY_ZONE_IDS: props.availabilityZoneIds,
        RUNBOOK_STATE_MACHINES: Stack.of(this).toJsonString(
          Object.fromEntries(
            Object.entries(props.runbooks).map(([name, sm]) => [name, sm.stateMachineArn]),
          ),
        ),
        ...this.recoveryChecks.environment(),
      }),
    });
    this.function = triage.function;
    this.reboundFunction = triage;
    this.grantTriage(triage.function, props);
    this.recoveryChecks.grantScheduling(triage.function);

    // Every rule into triage retries for a day, then dead-letters: nothing is dropped silently.
    const triageTarget = new targets.LambdaFunction(triage.function, {
      deadLetterQueue: queue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    });
    for (const spec of INTAKE_RULES) {
      const rule = new events.Rule(this, spec.id, {
        ruleName: `${namePrefix}-${spec.id}`,
        description: spec.description,
        eventPattern: spec.pattern(names),
      });
      rule.addTarget(triageTarget);
      this.rules.push(rule);
    }
    this.heartbeat = new events.Rule(this, 'heartbeat', {
      ruleName: heartbeatRuleName(namePrefix),
      description:
        'Rebound heartbeat: a scheduled event into triage every 5 minutes; when triage stops counting them, the not-hearing-events alarm pages',
      schedule: events.Schedule.rate(Duration.minutes(5)),
    });
    this.heartbeat.addTarget(triageTarget);

    this.archive = new events.Archive(this, 'Archive', {
      archiveName: `${namePrefix}-intake`,
      description: 'Every event the intake rules match, kept for incident replay',
      sourceEventBus: events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      // Empty here: the override below sets the whole pattern (an override merges into a
      // rendered pattern, so any field given here would be ANDed with the union).
      eventPattern: {},
      retention: props.archiveRetention ?? Duration.days(90),
    });
    // An archive takes one pattern: the union of the intake rules' patterns.
    (this.archive.node.defaultChild as events.CfnArchive).addPropertyOverride('EventPattern', {
      $or: this.rules.map((rule) => (rule.node.defaultChild as events.CfnRule).eventPattern),
    });

    props.cacheNotifications.addSubscription(
      new subscriptions.LambdaSubscription(triage.function, { deadLetterQueue: queue }),
    );
  }

  /** Least privilege: exactly what triage reads, writes, starts and describes. */
  private grantTriage(fn: lambda.IFunction, props: TriageProps): void {
    props.incidents.grantReadWriteData(fn);
    props.idempotency.grantReadWriteData(fn);
    props.alertsTopic.grantPublish(fn);
    for (const runbook of Object.values(props.runbooks)) runbook.grantStartExecution(fn);
    // Answers the runs that wait for AWS to announce a recovery (recovery-announcements.ts):
    // SendTaskSuccess only (not Failure or Heartbeat, which CDK's grantTaskResponse adds), on
    // those state machines only, the resource Step Functions authorises a task answer on (as
    // the approval endpoint's grant, runbooks/kit/approvals.ts).
    const waiting = ANNOUNCED_RECOVERY_RUNBOOKS.flatMap((name) => props.runbooks[name] ?? []);
    if (waiting.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess'],
          resources: waiting.map((runbook) => runbook.stateMachineArn),
        }),
      );
    }
    const stack = Stack.of(this);
    props.guardrails.grantRead(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBInstances'],
        resources: props.databases.map((db) => db.instanceArn),
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticache:DescribeReplicationGroups'],
        resources: [
          stack.formatArn({
            service: 'elasticache',
            resource: 'replicationgroup',
            resourceName: props.cacheReplicationGroupId,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // Where a failed cache primary was (zone-questions.ts): its member clusters, which
    // ElastiCache names `<group>-001`, `-002`... (the intake's CacheClusterId prefix too).
    const memberClusters = stack.formatArn({
      service: 'elasticache',
      resource: 'cluster',
      resourceName: `${props.cacheReplicationGroupId}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['elasticache:DescribeCacheClusters'],
        resources: [memberClusters],
      }),
    );
    acknowledgeFinding(
      fn.role ?? fn,
      `AwsSolutions-IAM5[Resource::${nagResourceName(stack, memberClusters)}]`,
      "DescribeCacheClusters on the shop's cache's member clusters only: ElastiCache names them after their replication group, and their number follows cacheReplicas.",
    );
    // These Describe APIs have no resource-level permissions (ReboundFunction acknowledges
    // the role's Resource::* finding for X-Ray; the same holds here), nor has GetMetricData
    // (where the unhealthy hosts or the targets' 5xx were: AWS/ApplicationELB
    // UnHealthyHostCount, RequestCount and HTTPCode_Target_5XX_Count per AZ).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'elasticloadbalancing:DescribeTargetHealth',
          'cloudwatch:GetMetricData',
        ],
        resources: ['*'],
      }),
    );
  }
}
