import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Severity } from '../../functions/lib/severity.js';
import { SHOP_METRIC } from '../../shop/emf.js';
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';
import type { Cache } from './cache.js';
import type { Edge } from './edge.js';
import type { WebTier } from './web-tier.js';

/** One alarm of the shop: its short name (`rebound-<stage>-<what>`), severity and rule. */
export interface AlarmSpec {
  readonly what: string;
  readonly severity: Severity;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** Breaching datapoints out of `evaluationPeriods` (M of N). */
  readonly datapointsToAlarm: number;
  readonly evaluationPeriods: number;
  /** @default NOT_BREACHING: a quiet metric is not an outage */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

export interface ShopAlarm {
  readonly alarm: cloudwatch.Alarm;
  readonly severity: Severity;
}

export interface ShopAlarmsProps {
  readonly namePrefix: string;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly webTier: WebTier;
  readonly minCapacity: number;
  readonly database: rds.DatabaseInstance;
  readonly replicas: readonly rds.IDatabaseInstance[];
  readonly allocatedStorageGiB: number;
  readonly cache: Cache;
  readonly edge: Edge;
}

const shopAlarmName = (namePrefix: string, what: string): string => `${namePrefix}-${what}`;

/** The alarm on the web group's worst instance (a memory leak on one instance). */
export const WEB_MEMORY_OUTLIER = 'web-memory-outlier';
/** Its rule: the worst instance at or above `worstPercent`, `abovePercent` over the group's average. */
const OUTLIER = { worstPercent: 90, abovePercent: 25 } as const;
/** The alarm that fires when the web group has fewer in-service instances than its minimum. */
export const WEB_IN_SERVICE_BELOW_MIN = 'web-in-service-below-min';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const { GREATER_THAN_THRESHOLD: ABOVE, LESS_THAN_THRESHOLD: BELOW } = cloudwatch.ComparisonOperator;
const minute = Duration.minutes(1);

/**
 * The shop's CloudWatch alarms, one table for every tier. Critical means customers are hurt
 * now (errors, lost capacity, a database about to stop); warning means something needs a look
 * or is healing by itself (unhealthy host being replaced, pressure, lag).
 */
export class ShopAlarms extends Construct {
  public readonly alarms: ShopAlarm[];
  /**
   * The exact names of these alarms, as plain strings (no tokens): the only alarms that may
   * start a runbook or page (README "Your own alarms"); the control plane's intake rule and
   * triage's inventory take exactly these.
   */
  public readonly alarmNames: readonly string[];
  /** Each alarm's exact name (a plain string, no token) with the short name and severity. */
  public readonly named: readonly {
    readonly what: string;
    readonly name: string;
    readonly severity: Severity;
  }[];

  constructor(scope: Construct, id: string, props: ShopAlarmsProps) {
    super(scope, id);
    const specs = shopAlarmSpecs(props);
    this.named = specs.map(({ what, severity }) => ({
      what,
      severity,
      name: shopAlarmName(props.namePrefix, what),
    }));
    this.alarmNames = this.named.map(({ name }) => name);
    this.alarms = specs.map((spec) => ({
      severity: spec.severity,
      alarm: new cloudwatch.Alarm(this, spec.what, {
        alarmName: shopAlarmName(props.namePrefix, spec.what),
        alarmDescription: `[${spec.severity}] ${spec.description}`,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    }));
  }

  public bySeverity(severity: Severity): cloudwatch.Alarm[] {
    return this.alarms.filter((entry) => entry.severity === severity).map((entry) => entry.alarm);
  }
}

function shopAlarmSpecs(props: ShopAlarmsProps): AlarmSpec[] {
  const { loadBalancer, targetGroup, webTier, database, cache } = props;
  const requests = targetGroup.metrics.requestCount({ period: minute, statistic: 'Sum' });
  const target5xx = targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
    period: minute,
    statistic: 'Sum',
  });
  const cacheMax = (metricName: string, label: string, statistic = 'Maximum') =>
    maxOver(cache.nodeMetrics(metricName, statistic), label);
  // The shop service's own metrics (shop/emf.ts, through the CloudWatch agent's EMF listener),
  // for the whole web group. With the group's dimension triage ties them to the web group;
  // no runbook recovers what they say, so they page (critical) or inform (warning) a person.
  const shopMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: WEB_TIER_NAMESPACE,
      metricName,
      dimensionsMap: { AutoScalingGroupName: webTier.autoScalingGroup.autoScalingGroupName },
      period: minute,
      statistic,
    });

  const specs: AlarmSpec[] = [
    {
      what: 'alb-elb-5xx',
      severity: 'critical',
      description: 'The load balancer itself returns 5xx (no healthy target, or ALB trouble).',
      metric: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
        period: minute,
        statistic: 'Sum',
      }),
      threshold: 10,
      comparison: ABOVE,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    },
    {
      what: 'alb-target-5xx-rate',
      severity: 'critical',
      description: 'More than 5% of requests fail with a 5xx from the web tier.',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { requests, errors: target5xx },
        period: minute,
        label: 'Target 5xx rate (%)',
      }),
      threshold: 5,
      comparison: ABOVE,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    },
    {
      what: 'alb-unhealthy-hosts',
      severity: 'warning',
      description: 'Targets fail the /health check; the Auto Scaling group should replace them.',
      metric: targetGroup.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
      threshold: 0,
      comparison: ABOVE,
      datapointsToAlarm: 2,
      evaluationPeriods: 2,
    },
    {
      what: 'alb-target-p99-latency',
      severity: 'warning',
      description: 'p99 response time of the web tier is above 2 seconds.',
      metric: targetGroup.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
      threshold: 2,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
    {
      what: 'web-cpu-high',
      severity: 'warning',
      description:
        'Web tier average CPU stays above 90% although target tracking aims lower: likely at max capacity.',
      metric: webTier.cpuUtilization,
      threshold: 90,
      comparison: ABOVE,
      datapointsToAlarm: 10,
      evaluationPeriods: 10,
    },
    {
      what: 'web-memory-high',
      severity: 'warning',
      description: 'Web tier average memory use stays above 90% (CloudWatch agent).',
      metric: webTier.memoryUtilization,
      threshold: 90,
      comparison: ABOVE,
      datapointsToAlarm: 10,
      evaluationPeriods: 10,
    },
    {
      // A leak on one instance (a gray failure: /health still answers) hides in the average
      // above; the group's Maximum is its worst instance (the agent publishes each instance's
      // value under the group dimension too). An outlier, not a high average: when every
      // instance is high it is load, and the memory target tracking adds capacity. 90% is where
      // the kernel starts to swap; 25 points above the group's average is far beyond the spread
      // of instances behind one round-robin load balancer (a fresh instance starts lower, so
      // 'some spread' is normal); 3 of 3 minutes ignores a burst. Metric math IF and AND:
      // CloudWatch user guide, "Metric math syntax and functions".
      what: WEB_MEMORY_OUTLIER,
      severity: 'warning',
      description:
        "One web instance uses 90% of its memory or more, 25 points above the group's average: a leak the health checks miss; Rebound replaces that instance.",
      metric: new cloudwatch.MathExpression({
        expression: `IF(worst >= ${OUTLIER.worstPercent} AND worst - mean >= ${OUTLIER.abovePercent}, 1, 0)`,
        usingMetrics: {
          worst: webTier.memoryUtilization.with({ statistic: 'Maximum' }),
          mean: webTier.memoryUtilization,
        },
        period: minute,
        label: 'Worst instance is a memory outlier (1) or not (0)',
      }),
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    },
    {
      what: WEB_IN_SERVICE_BELOW_MIN,
      severity: 'critical',
      description: `Fewer in-service web instances than the minimum of ${props.minCapacity}.`,
      metric: webTier.inServiceInstances,
      threshold: props.minCapacity,
      comparison: BELOW,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    },
    {
      what: 'shop-checkout-errors',
      severity: 'critical',
      description:
        'Customers cannot buy: more than 5 checkouts a minute answered 5xx by the shop, 3 minutes running (longer than a Multi-AZ failover, which the shop rides out by retrying).',
      metric: shopMetric(SHOP_METRIC.checkoutErrors, 'Sum'),
      threshold: 5,
      comparison: ABOVE,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
      // No data: no shop sends metrics (the web-tier alarms say why), not failed checkouts.
    },
    {
      what: 'shop-p99-latency',
      severity: 'warning',
      description:
        'p99 of the shop service itself (all routes, measured in the process) above 1 second for 5 minutes.',
      metric: shopMetric(SHOP_METRIC.requestLatency, 'p99'),
      threshold: 1_000,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      // No data: no requests, nothing slow.
    },
    {
      what: 'shop-db-errors',
      severity: 'warning',
      description:
        'The shop gets more than 30 database errors a minute for 5 minutes: past a failover, the database or the network to it needs a look.',
      metric: shopMetric(SHOP_METRIC.dbErrors, 'Sum'),
      threshold: 30,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      // No data: no database work, no error.
    },
    {
      what: 'db-cpu-high',
      severity: 'warning',
      description: 'Database primary CPU above 80% for 15 minutes.',
      metric: database.metricCPUUtilization({ period: minute }),
      threshold: 80,
      comparison: ABOVE,
      datapointsToAlarm: 15,
      evaluationPeriods: 15,
    },
    {
      what: 'db-free-storage-low',
      severity: 'critical',
      description:
        'Database primary has less than 10% of its storage free; writes stop when it is full.',
      metric: database.metricFreeStorageSpace({ period: minute, statistic: 'Minimum' }),
      threshold: Math.round(props.allocatedStorageGiB * 0.1 * GiB),
      comparison: BELOW,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
    {
      what: 'db-freeable-memory-low',
      severity: 'warning',
      description: 'Database primary has less than 256 MiB of freeable memory.',
      metric: database.metricFreeableMemory({ period: minute, statistic: 'Minimum' }),
      threshold: 256 * MiB,
      comparison: BELOW,
      datapointsToAlarm: 10,
      evaluationPeriods: 10,
    },
    {
      what: 'db-connections-high',
      severity: 'warning',
      // max_connections is LEAST(DBInstanceClassMemory/9531392, 5000): ~400 on 4 GiB.
      description:
        'Database primary holds more than 300 connections (~75% of max_connections on db.t4g.medium).',
      metric: database.metricDatabaseConnections({ period: minute, statistic: 'Maximum' }),
      threshold: 300,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
    ...props.replicas.map(
      (replica, index): AlarmSpec => ({
        what: `db-replica-${index + 1}-lag`,
        severity: 'warning',
        description: `Read replica ${index + 1} lags the primary by more than 30 seconds.`,
        metric: replica.metric('ReplicaLag', { period: minute, statistic: 'Maximum' }),
        threshold: 30,
        comparison: ABOVE,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
      }),
    ),
    {
      what: 'cache-engine-cpu-high',
      severity: 'warning',
      description: 'The busiest cache node spends more than 80% of its engine thread on work.',
      metric: cacheMax('EngineCPUUtilization', 'Max engine CPU (%)'),
      threshold: 80,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
    {
      what: 'cache-memory-high',
      severity: 'warning',
      description: 'A cache node uses more than 85% of its memory for data.',
      metric: cacheMax('DatabaseMemoryUsagePercentage', 'Max memory used (%)'),
      threshold: 85,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
    {
      what: 'cache-evictions',
      severity: 'warning',
      description:
        'The cache evicts keys (sessions may be lost): more than 100 a minute on a node.',
      metric: cacheMax('Evictions', 'Max evictions per node', 'Sum'),
      threshold: 100,
      comparison: ABOVE,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    },
    {
      what: 'cache-replication-lag',
      severity: 'warning',
      description: 'A cache replica lags the primary by more than 5 seconds.',
      metric: cacheMax('ReplicationLag', 'Max replication lag (s)'),
      threshold: 5,
      comparison: ABOVE,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    },
  ];

  // CloudFront publishes its metrics in us-east-1 only; an alarm elsewhere would never see data.
  if (Stack.of(props.edge).region === 'us-east-1') {
    specs.push({
      what: 'cloudfront-5xx-rate',
      severity: 'critical',
      description: 'More than 5% of viewer requests get a 5xx from CloudFront.',
      metric: props.edge.metric('5xxErrorRate', 'Average'),
      threshold: 5,
      comparison: ABOVE,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
    });
  }
  return specs;
}

function maxOver(metrics: cloudwatch.IMetric[], label: string): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(metrics.map((metric, index) => [`n${index}`, metric]));
  return new cloudwatch.MathExpression({
    expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    period: minute,
    label,
  });
}
