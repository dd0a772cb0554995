import {
  resourcesOf,
  type SynthesizedTemplate,
  type TemplateResource,
} from '../synthesized-template.js';

/**
 * The shop's recovery-relevant settings, read from the synthesized shop template (never
 * hard-coded): what `npm start`'s objective check and `npm run rto` compute the worst case from,
 * and what the game day simulates: the web group's sizes and health-check grace, the target group's health-check
 * interval and thresholds, target tracking, the databases, the cache and every CloudWatch alarm
 * (single-metric and metric-math) with its period, evaluation periods, datapoints
 * and missing-data treatment.
 */

export interface AlarmSettings {
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; CloudFormation references resolved to the simulated names. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly treatMissingData: string;
}

/** One metric a metric-math alarm reads (a `MetricStat` of its `Metrics`). */
export interface MetricQuerySettings {
  /** The id the expression names it by. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
}

/**
 * A metric-math alarm: the expression (its `ReturnData` query) over its metric queries, compared
 * with the threshold like a single metric's value.
 */
export interface MathAlarmSettings
  extends Omit<AlarmSettings, 'namespace' | 'metricName' | 'dimensions' | 'statistic'> {
  readonly expressionId: string;
  readonly expression: string;
  readonly label: string;
  readonly metrics: readonly MetricQuerySettings[];
}

export interface ShopSettings {
  readonly availabilityZones: readonly string[];
  readonly group: {
    readonly name: string;
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity: number;
    readonly healthCheckGraceSeconds: number;
    readonly instanceWarmupSeconds: number;
    /**
     * The group's AvailabilityZoneImpairmentPolicy: registered for zonal shift, and whether it
     * leaves unhealthy instances in a shifted AZ alone (`IgnoreUnhealthy`) or replaces them.
     */
    readonly zonalShiftEnabled: boolean;
    readonly impairedZoneHealthCheckBehavior: 'IgnoreUnhealthy' | 'ReplaceUnhealthy';
    /**
     * The group's launch lifecycle hook (LifecycleHookSpecificationList, transition
     * autoscaling:EC2_INSTANCE_LAUNCHING), when it has one: a new instance waits in Pending:Wait,
     * not yet registered with the target group, until its app answers and completes the hook,
     * or until the heartbeat timeout gives the default result.
     */
    readonly launchHook?: {
      readonly name: string;
      readonly heartbeatTimeoutSeconds: number;
      readonly defaultResult: 'CONTINUE' | 'ABANDON';
    };
  };
  readonly targetGroup: {
    readonly name: string;
    readonly fullName: string;
    readonly arn: string;
    readonly intervalSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
    readonly deregistrationDelaySeconds: number;
  };
  readonly loadBalancerFullName: string;
  /** The load balancer's attribute `zonal_shift.config.enabled` (off unless set). */
  readonly loadBalancerZonalShiftEnabled: boolean;
  readonly cpuTargetPercent: number;
  /** The memory target-tracking policy's target (the CloudWatch agent's mem_used_percent). */
  readonly memoryTargetPercent: number;
  readonly database: {
    readonly primaryId: string;
    readonly multiAz: boolean;
    readonly replicas: readonly { readonly id: string; readonly availabilityZone: string }[];
  };
  readonly cache: {
    readonly groupId: string;
    readonly nodeIds: readonly string[];
    readonly nodeAzs: readonly string[];
    /** The SNS topic the group notifies (its events go nowhere else). */
    readonly topicName: string;
  };
  /** The single-metric alarms. */
  readonly alarms: readonly AlarmSettings[];
  /** The metric-math alarms (an expression over metric queries). */
  readonly mathAlarms: readonly MathAlarmSettings[];
}

/** A setting the template must hold; one clear error naming it when it does not. */
export class ShopSettingsError extends Error {
  override readonly name = 'ShopSettingsError';
}

const one = (template: SynthesizedTemplate, type: string): [string, TemplateResource] => {
  const found = resourcesOf(template, type);
  const [first] = found;
  if (first === undefined) throw new ShopSettingsError(`the shop template has no ${type}`);
  return first;
};

const numberOf = (value: unknown, what: string, fallback?: number): number => {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (value !== undefined && Number.isFinite(parsed)) return parsed;
  if (fallback !== undefined) return fallback;
  throw new ShopSettingsError(`the shop template has no number for ${what}`);
};

const stringOf = (value: unknown, what: string): string => {
  if (typeof value === 'string') return value;
  throw new ShopSettingsError(`the shop template has no name for ${what}`);
};

/**
 * What every alarm of the template holds, single-metric or metric math (AlarmSettings without
 * its metric): its name, description, evaluation (N periods, M datapoints, M = N by default,
 * CloudFormation AWS::CloudWatch::Alarm), threshold and missing-data treatment.
 */
const alarmBasics = (name: string, a: NonNullable<TemplateResource['Properties']>) => {
  const evaluationPeriods = numberOf(a.EvaluationPeriods, `${name} EvaluationPeriods`);
  return {
    name,
    description: typeof a.AlarmDescription === 'string' ? a.AlarmDescription : '',
    evaluationPeriods,
    datapointsToAlarm: numberOf(
      a.DatapointsToAlarm,
      `${name} DatapointsToAlarm`,
      evaluationPeriods,
    ),
    threshold: numberOf(a.Threshold, `${name} Threshold`),
    comparison: stringOf(a.ComparisonOperator, `${name} ComparisonOperator`),
    treatMissingData: typeof a.TreatMissingData === 'string' ? a.TreatMissingData : 'missing',
  };
};

/**
 * The id AWS appends to the load balancer's and target group's names (`app/<name>/<id>`): one
 * made-up value, shared with the runbooks' definitions (resolveDeployedNames' `fullNameId`).
 */
export const SIMULATED_FULL_NAME_ID = '50dc6c495c0c9188';

/**
 * The account the settings' ARNs name: the template does not know the account it deploys to, so
 * one made-up account stands in (the game day's simulated AWS is this account).
 */
export const SIMULATED_ACCOUNT = '123456789012';

export const readShopSettings = (
  shop: SynthesizedTemplate,
  options: { readonly region: string; readonly availabilityZones: readonly string[] },
): ShopSettings => {
  const resources = shop.Resources ?? {};
  const [groupId, group] = one(shop, 'AWS::AutoScaling::AutoScalingGroup');
  const g = group.Properties ?? {};
  const [targetGroupId, targetGroup] = one(shop, 'AWS::ElasticLoadBalancingV2::TargetGroup');
  const t = targetGroup.Properties ?? {};
  const [loadBalancerId, loadBalancer] = one(shop, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const groupName = stringOf(g.AutoScalingGroupName, 'the web group');
  const targetGroupName = stringOf(t.Name, 'the target group');
  const loadBalancerName = stringOf(loadBalancer.Properties?.Name, 'the load balancer');
  const targetGroupFullName = `targetgroup/${targetGroupName}/${SIMULATED_FULL_NAME_ID}`;
  const loadBalancerFullName = `app/${loadBalancerName}/${SIMULATED_FULL_NAME_ID}`;
  const loadBalancerAttributes = (loadBalancer.Properties?.LoadBalancerAttributes ?? []) as {
    Key: string;
    Value: string;
  }[];
  const impairment = (g.AvailabilityZoneImpairmentPolicy ?? {}) as {
    ZonalShiftEnabled?: boolean;
    ImpairedZoneHealthCheckBehavior?: string;
  };
  const launchHook = (
    (g.LifecycleHookSpecificationList ?? []) as {
      LifecycleHookName?: string;
      LifecycleTransition?: string;
      HeartbeatTimeout?: number;
      DefaultResult?: string;
    }[]
  ).find((hook) => hook.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING');
  const attributes = (t.TargetGroupAttributes ?? []) as { Key: string; Value: string }[];
  const deregistration = attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
  const trackings = resourcesOf(shop, 'AWS::AutoScaling::ScalingPolicy').map(
    ([, policy]) => policy.Properties?.TargetTrackingConfiguration as Record<string, unknown>,
  );
  const cpuPolicy = trackings.find(
    (tracking) => tracking?.PredefinedMetricSpecification !== undefined,
  );
  const memoryPolicy = trackings.find(
    (tracking) =>
      (tracking?.CustomizedMetricSpecification as { MetricName?: string } | undefined)
        ?.MetricName === 'mem_used_percent',
  );
  const dbInstances = resourcesOf(shop, 'AWS::RDS::DBInstance').map(
    ([, db]) => db.Properties ?? {},
  );
  const primary = dbInstances.find((db) => db.SourceDBInstanceIdentifier === undefined);
  if (primary === undefined)
    throw new ShopSettingsError('the shop template has no primary database');
  const [, cache] = one(shop, 'AWS::ElastiCache::ReplicationGroup');
  const c = cache.Properties ?? {};
  const cacheGroupId = stringOf(c.ReplicationGroupId, 'the cache replication group');
  const cacheNodes = numberOf(c.NumCacheClusters, 'the cache nodes');
  const topicRef = (c.NotificationTopicArn as { Ref?: string } | undefined)?.Ref;
  const topicName = resources[topicRef ?? '']?.Properties?.TopicName;

  // The physical name a reference stands for, as the simulated shop names it.
  const physicalNames: Record<string, string> = {
    [groupId]: groupName,
    [targetGroupId]: targetGroupFullName,
    [loadBalancerId]: loadBalancerFullName,
  };
  for (const [id, resource] of Object.entries(resources)) {
    const name =
      resource.Properties?.DBInstanceIdentifier ?? resource.Properties?.ReplicationGroupId;
    if (typeof name === 'string') physicalNames[id] = name;
  }
  const dimensionValue = (name: string, value: unknown): string => {
    if (typeof value === 'string') return value;
    // The ALB's and target group's full names are built with Fn::Join/Fn::GetAtt.
    if (name === 'LoadBalancer') return loadBalancerFullName;
    if (name === 'TargetGroup') return targetGroupFullName;
    const ref = (value as { Ref?: unknown } | null)?.Ref;
    if (typeof ref === 'string' && physicalNames[ref] !== undefined) return physicalNames[ref];
    return `${name}-unresolved`;
  };
  const dimensionsOf = (dimensions: unknown): Record<string, string> =>
    Object.fromEntries(
      ((dimensions ?? []) as { Name: string; Value: unknown }[]).map((d) => [
        d.Name,
        dimensionValue(d.Name, d.Value),
      ]),
    );
  const alarms = resourcesOf(shop, 'AWS::CloudWatch::Alarm').flatMap(
    ([, alarm]): AlarmSettings[] => {
      const a = alarm.Properties ?? {};
      if (typeof a.MetricName !== 'string' || typeof a.AlarmName !== 'string') return [];
      return [
        {
          ...alarmBasics(a.AlarmName, a),
          namespace: stringOf(a.Namespace, `${a.AlarmName} Namespace`),
          metricName: a.MetricName,
          dimensions: dimensionsOf(a.Dimensions),
          statistic: typeof a.Statistic === 'string' ? a.Statistic : 'Average',
          periodSeconds: numberOf(a.Period, `${a.AlarmName} Period`),
        },
      ];
    },
  );
  const mathAlarms = resourcesOf(shop, 'AWS::CloudWatch::Alarm').flatMap(
    ([, alarm]): MathAlarmSettings[] => {
      const a = alarm.Properties ?? {};
      if (!Array.isArray(a.Metrics) || typeof a.AlarmName !== 'string') return [];
      const name = a.AlarmName;
      const queries = a.Metrics as Record<string, unknown>[];
      const returned = queries.filter((q) => typeof q.Expression === 'string');
      const [expression] = returned.filter((q) => q.ReturnData !== false);
      if (expression === undefined || returned.length !== 1)
        throw new ShopSettingsError(
          `${name}: the game day reads metric-math alarms with exactly one expression (found ${returned.length})`,
        );
      const metrics = queries.flatMap((q): MetricQuerySettings[] => {
        const stat = q.MetricStat as Record<string, unknown> | undefined;
        if (stat === undefined) return [];
        const metric = (stat.Metric ?? {}) as Record<string, unknown>;
        return [
          {
            id: stringOf(q.Id, `${name} metric query Id`),
            namespace: stringOf(metric.Namespace, `${name} metric Namespace`),
            metricName: stringOf(metric.MetricName, `${name} MetricName`),
            dimensions: dimensionsOf(metric.Dimensions),
            statistic: stringOf(stat.Stat, `${name} metric Stat`),
            periodSeconds: numberOf(stat.Period, `${name} metric Period`),
          },
        ];
      });
      // The alarm evaluates one period: every metric query's.
      const periods = new Set(metrics.map((m) => m.periodSeconds));
      const [periodSeconds] = periods;
      if (periodSeconds === undefined || periods.size !== 1)
        throw new ShopSettingsError(
          `${name}: the game day reads metric-math alarms whose metrics share one period (found ${[...periods].join(', ') || 'none'})`,
        );
      return [
        {
          ...alarmBasics(name, a),
          expressionId: stringOf(expression.Id, `${name} expression Id`),
          expression: stringOf(expression.Expression, `${name} Expression`),
          label: typeof expression.Label === 'string' ? expression.Label : '',
          metrics,
          periodSeconds,
        },
      ];
    },
  );
  const minSize = numberOf(g.MinSize, 'the web group MinSize');
  return {
    availabilityZones: options.availabilityZones,
    group: {
      name: groupName,
      minSize,
      maxSize: numberOf(g.MaxSize, 'the web group MaxSize'),
      desiredCapacity: numberOf(g.DesiredCapacity, 'DesiredCapacity', minSize),
      healthCheckGraceSeconds: numberOf(g.HealthCheckGracePeriod, 'HealthCheckGracePeriod'),
      instanceWarmupSeconds: numberOf(g.DefaultInstanceWarmup, 'DefaultInstanceWarmup', 300),
      zonalShiftEnabled: impairment.ZonalShiftEnabled === true,
      impairedZoneHealthCheckBehavior:
        impairment.ImpairedZoneHealthCheckBehavior === 'IgnoreUnhealthy'
          ? 'IgnoreUnhealthy'
          : 'ReplaceUnhealthy',
      ...(launchHook === undefined
        ? {}
        : {
            launchHook: {
              name: stringOf(launchHook.LifecycleHookName, 'the launch lifecycle hook'),
              // AWS's defaults when the template leaves them out: 3600 s and ABANDON
              // (AWS::AutoScaling::AutoScalingGroup LifecycleHookSpecification).
              heartbeatTimeoutSeconds: numberOf(
                launchHook.HeartbeatTimeout,
                'HeartbeatTimeout',
                3600,
              ),
              defaultResult: launchHook.DefaultResult === 'CONTINUE' ? 'CONTINUE' : 'ABANDON',
            },
          }),
    },
    targetGroup: {
      name: targetGroupName,
      fullName: targetGroupFullName,
      arn: `arn:aws:elasticloadbalancing:${options.region}:${SIMULATED_ACCOUNT}:${targetGroupFullName}`,
      intervalSeconds: numberOf(t.HealthCheckIntervalSeconds, 'HealthCheckIntervalSeconds', 30),
      healthyThreshold: numberOf(t.HealthyThresholdCount, 'HealthyThresholdCount', 5),
      unhealthyThreshold: numberOf(t.UnhealthyThresholdCount, 'UnhealthyThresholdCount', 2),
      deregistrationDelaySeconds: numberOf(deregistration?.Value, 'deregistration delay', 300),
    },
    loadBalancerFullName,
    loadBalancerZonalShiftEnabled: loadBalancerAttributes.some(
      (a) => a.Key === 'zonal_shift.config.enabled' && a.Value === 'true',
    ),
    cpuTargetPercent: numberOf(cpuPolicy?.TargetValue, 'the CPU target tracking target'),
    memoryTargetPercent: numberOf(memoryPolicy?.TargetValue, 'the memory target tracking target'),
    database: {
      primaryId: stringOf(primary.DBInstanceIdentifier, 'the primary database'),
      multiAz: primary.MultiAZ === true,
      replicas: dbInstances
        .filter((db) => db !== primary)
        .map((db) => ({
          id: stringOf(db.DBInstanceIdentifier, 'a read replica'),
          availabilityZone: stringOf(db.AvailabilityZone, 'a read replica AZ'),
        })),
    },
    cache: {
      groupId: cacheGroupId,
      nodeIds: Array.from(
        { length: cacheNodes },
        (_, index) => `${cacheGroupId}-${String(index + 1).padStart(3, '0')}`,
      ),
      nodeAzs: ((c.PreferredCacheClusterAZs ?? options.availabilityZones) as string[]).slice(),
      topicName: stringOf(topicName, 'the cache notification topic'),
    },
    alarms,
    mathAlarms,
  };
};
