import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';

/** A per-AZ look at one target group's ALB metrics (unhealthy hosts, 5xx). */
export interface TargetZonesQuery {
  /** The alarm's `LoadBalancer` dimension (`app/<name>/<id>`). */
  readonly loadBalancer: string;
  /** The alarm's `TargetGroup` dimension (`targetgroup/<name>/<id>`). */
  readonly targetGroup: string;
  /** The shop's AZs: one query each. */
  readonly availabilityZones: readonly string[];
  /** The minutes before `now` to look at (the alarm's evaluation window and some). */
  readonly minutes: number;
  readonly now: Date;
}

/** A target-group metric of the ALB in one AZ, per minute (GetMetricData's MetricStat). */
const perZoneTargetMetric = (
  query: Pick<TargetZonesQuery, 'loadBalancer' | 'targetGroup'>,
  zone: string,
  metricName: string,
  stat: string,
) => ({
  Metric: {
    Namespace: 'AWS/ApplicationELB',
    MetricName: metricName,
    Dimensions: [
      { Name: 'AvailabilityZone', Value: zone },
      { Name: 'LoadBalancer', Value: query.loadBalancer },
      { Name: 'TargetGroup', Value: query.targetGroup },
    ],
  },
  Period: 60,
  Stat: stat,
});

/**
 * One GetMetricData over the query's window with, for each AZ (by index), one query per entry
 * of `metrics` (its Id `<key><index>`): the ALB publishes its target-group metrics per AZ too
 * (dimensions AvailabilityZone, LoadBalancer, TargetGroup: "CloudWatch metrics for your
 * Application Load Balancer").
 */
export const perZoneTargetMetrics = async (
  client: CloudWatchClient,
  query: TargetZonesQuery,
  metrics: Readonly<Record<string, { readonly metricName: string; readonly stat: string }>>,
  abortSignal: AbortSignal,
): Promise<MetricDataResult[]> => {
  const output = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(query.now.getTime() - query.minutes * 60_000),
      EndTime: query.now,
      MetricDataQueries: query.availabilityZones.flatMap((zone, index) =>
        Object.entries(metrics).map(([key, { metricName, stat }]) => ({
          Id: `${key}${index}`,
          MetricStat: perZoneTargetMetric(query, zone, metricName, stat),
        })),
      ),
    }),
    { abortSignal },
  );
  return output.MetricDataResults ?? [];
};
