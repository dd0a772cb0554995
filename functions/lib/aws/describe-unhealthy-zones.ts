import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { perZoneTargetMetrics, type TargetZonesQuery } from './describe-target-zones.js';

/**
 * The AZs whose targets turned unhealthy first: AWS/ApplicationELB UnHealthyHostCount is
 * published per AZ too, so one GetMetricData with a query per AZ
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
  const results = await perZoneTargetMetrics(
    client,
    query,
    { az: { metricName: 'UnHealthyHostCount', stat: 'Maximum' } },
    abortSignal,
  );
  // botocore cloudwatch MetricDataResult.Timestamps: "The number of timestamps always matches
  // the number of values and the value for Timestamps[x] is Values[x]".
  const unhealthy = results.flatMap((result) => {
    const zone = zones[Number(result.Id?.slice('az'.length))];
    if (zone === undefined) return [];
    return (result.Timestamps ?? []).flatMap((at, index) =>
      (result.Values?.[index] ?? 0) > 0 ? [{ zone, at: new Date(at).getTime() }] : [],
    );
  });
  const first = Math.min(...unhealthy.map(({ at }) => at));
  return unhealthy.filter(({ at }) => at === first).map(({ zone }) => zone);
};
