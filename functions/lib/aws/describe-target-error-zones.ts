import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { perZoneTargetMetrics, type TargetZonesQuery } from './describe-target-zones.js';

/** One AZ's requests and target 5xx over the query's window. */
export interface ZoneErrors {
  readonly zone: string;
  readonly requests: number;
  readonly errors: number;
}

/**
 * An AZ's 5xx share stands out when it is more than this many times the share of the other AZs
 * together: one AZ failing gray, not an app failing everywhere (where every AZ's share is alike).
 */
export const STANDOUT_FACTOR = 2;

/** The AZs whose share of 5xx stands out from the other AZs' (pure). */
export const standoutZones = (zones: readonly ZoneErrors[]): string[] =>
  zones
    .filter(({ zone, requests, errors }) => {
      if (requests === 0 || errors === 0) return false;
      const others = zones.filter((other) => other.zone !== zone);
      const otherRequests = others.reduce((sum, other) => sum + other.requests, 0);
      const otherErrors = others.reduce((sum, other) => sum + other.errors, 0);
      // errors / requests > STANDOUT_FACTOR × otherErrors / otherRequests, without dividing by 0.
      return errors * otherRequests > STANDOUT_FACTOR * otherErrors * requests;
    })
    .map(({ zone }) => zone);

const sum = (values: readonly number[] | undefined): number =>
  (values ?? []).reduce((total, value) => total + value, 0);

/**
 * The AZs whose targets answer 5xx out of proportion: AWS/ApplicationELB RequestCount and
 * HTTPCode_Target_5XX_Count are published per AZ too ("CloudWatch metrics for your Application
 * Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html),
 * so one GetMetricData with two queries per AZ (Sum per minute) gives each AZ's 5xx share. The
 * 5xx count is reported only when nonzero: an AZ without datapoints answered no 5xx.
 */
export const targetErrorZones = async (
  client: CloudWatchClient,
  query: TargetZonesQuery,
  abortSignal: AbortSignal,
): Promise<string[]> => {
  const zones = query.availabilityZones;
  const results = await perZoneTargetMetrics(
    client,
    query,
    {
      requests: { metricName: 'RequestCount', stat: 'Sum' },
      errors: { metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
    },
    abortSignal,
  );
  const valuesOf = (id: string) => sum(results.find((result) => result.Id === id)?.Values);
  return standoutZones(
    zones.map((zone, index) => ({
      zone,
      requests: valuesOf(`requests${index}`),
      errors: valuesOf(`errors${index}`),
    })),
  );
};
