import type {
  AlarmSettings,
  MathAlarmSettings,
  ShopSettings,
} from '../../infra/recovery/shop-settings.js';

/** The shop's unhealthy-hosts alarm as the game day reads it from a synthesized template. */
export const UNHEALTHY_HOSTS_ALARM: AlarmSettings = {
  name: 'rebound-test-alb-unhealthy-hosts',
  description: '[warning] Targets fail the /health check',
  namespace: 'AWS/ApplicationELB',
  metricName: 'UnHealthyHostCount',
  dimensions: {
    LoadBalancer: 'app/rebound-test-alb/0',
    TargetGroup: 'targetgroup/rebound-test-web/0',
  },
  statistic: 'Maximum',
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  threshold: 0,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
};

/** The shop's web-memory-outlier as readShopSettings reads it from a synthesized template. */
export const MEMORY_OUTLIER_ALARM: MathAlarmSettings = {
  name: 'rebound-test-web-memory-outlier',
  description: 'One web instance uses 90% of its memory or more',
  expressionId: 'expr_1',
  expression: 'IF(worst >= 90 AND worst - mean >= 25, 1, 0)',
  label: 'Worst instance is a memory outlier (1) or not (0)',
  metrics: [
    {
      id: 'worst',
      namespace: 'Rebound/WebTier',
      metricName: 'mem_used_percent',
      dimensions: { AutoScalingGroupName: 'rebound-test-web' },
      statistic: 'Maximum',
      periodSeconds: 60,
    },
    {
      id: 'mean',
      namespace: 'Rebound/WebTier',
      metricName: 'mem_used_percent',
      dimensions: { AutoScalingGroupName: 'rebound-test-web' },
      statistic: 'Average',
      periodSeconds: 60,
    },
  ],
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 1,
  comparison: 'GreaterThanOrEqualToThreshold',
  treatMissingData: 'notBreaching',
};

/**
 * The shop's target 5xx-rate alarm (infra/constructs/shop-alarms.ts, `alb-target-5xx-rate`) as
 * the game day reads it from a synthesized template, on the ALB `elb` names: its requests query
 * first, then its errors.
 */
export const targetErrorRateAlarm = (
  name: string,
  elb: { readonly LoadBalancer: string; readonly TargetGroup: string },
): MathAlarmSettings => ({
  name,
  description: '[critical] More than 5% of requests fail with a 5xx from the web tier.',
  expressionId: 'expr_1',
  expression: 'IF(requests > 0, 100 * errors / requests, 0)',
  label: 'Target 5xx rate (%)',
  metrics: [
    { id: 'requests', metricName: 'RequestCount' },
    { id: 'errors', metricName: 'HTTPCode_Target_5XX_Count' },
  ].map(({ id, metricName }) => ({
    id,
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensions: elb,
    statistic: 'Sum',
    periodSeconds: 60,
  })),
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 5,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
});

/** A small shop's settings (the shape readShopSettings gives), for the game day's unit tests. */
export const TEST_SHOP_SETTINGS: ShopSettings = {
  availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  group: {
    name: 'rebound-test-web',
    minSize: 3,
    maxSize: 12,
    desiredCapacity: 3,
    healthCheckGraceSeconds: 300,
    instanceWarmupSeconds: 120,
    zonalShiftEnabled: true,
    impairedZoneHealthCheckBehavior: 'IgnoreUnhealthy',
  },
  targetGroup: {
    name: 'rebound-test-web',
    fullName: 'targetgroup/rebound-test-web/0',
    arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rebound-test-web/0',
    intervalSeconds: 10,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    deregistrationDelaySeconds: 30,
  },
  loadBalancerFullName: 'app/rebound-test-alb/0',
  loadBalancerZonalShiftEnabled: true,
  cpuTargetPercent: 70,
  memoryTargetPercent: 75,
  database: {
    primaryId: 'rebound-test-db',
    multiAz: true,
    replicas: [{ id: 'rebound-test-db-replica-1', availabilityZone: 'us-east-1c' }],
  },
  cache: {
    groupId: 'rebound-test-cache',
    nodeIds: ['rebound-test-cache-001', 'rebound-test-cache-002'],
    nodeAzs: ['us-east-1a', 'us-east-1b'],
    topicName: 'rebound-test-cache-events',
  },
  alarms: [UNHEALTHY_HOSTS_ALARM],
  mathAlarms: [MEMORY_OUTLIER_ALARM],
};
