import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

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

/**
 * The AZs whose targets turned unhealthy first: AWS/ApplicationELB UnHealthyHostCount is
 * published per AZ too (dimensions AvailabilityZone, LoadBalancer, TargetGroup: "CloudWatch
 * metrics for your Application Load Balancer"), so one GetMetricData with a query per AZ
 * (Maximum per minute) says where, even for targets already terminated. The first minute with an
 * unhealthy host tells where the trouble started; the replacements the group launches elsewhere
 * may fail their first health checks while they boot, and count later.
 */
export const unhealthyTargetZones = async (
  client: CloudWatchClient,
  query: TargetZonesQuery,
  abortSignal: AbortSignal,
): Promise<string[]> => {
  const zones = query.availabilityZones;
  const output = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(query.now.getTime() - query.minutes * 60_000),
      EndTime: query.now,
      MetricDataQueries: zones.map((zone, index) => ({
        Id: `az${index}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: 'UnHealthyHostCount',
            Dimensions: [
              { Name: 'AvailabilityZone', Value: zone },
              { Name: 'LoadBalancer', Value: query.loadBalancer },
              { Name: 'TargetGroup', Value: query.targetGroup },
            ],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      })),
    }),
    { abortSignal },
  );
  const unhealthy = (output.MetricDataResults ?? []).flatMap((result) => {
    const zone = zones[Number(result.Id?.slice('az'.length))];
    if (zone === undefined) return [];
    return (result.Timestamps ?? []).flatMap((at, index) =>
      (result.Values?.[index] ?? 0) > 0 ? [{ zone, at: new Date(at).getTime() }] : [],
    );
  });
  const first = Math.min(...unhealthy.map(({ at }) => at));
  return unhealthy.filter(({ at }) => at === first).map(({ zone }) => zone);
};
