/**
 * The shop's metrics as CloudWatch Embedded Metric Format (EMF) documents: JSON log events
 * whose `_aws.CloudWatchMetrics` metadata tells CloudWatch Logs which fields are metrics
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * The CloudWatch agent's EMF listener (`logs.metrics_collected.emf`, tcp:25888) ships them.
 * Namespace and the AutoScalingGroupName dimension are those of the web tier's agent metrics
 * (shop/metrics-namespace.ts), so the shop's alarms name the web group and triage ties them to
 * it. Pure: shop/emf-emitter.ts sends what this builds.
 */

import { WEB_TIER_NAMESPACE } from './metrics-namespace.js';

/** The metric names, shared with the alarms (infra/constructs/shop-alarms.ts). */
export const SHOP_METRIC = {
  requestLatency: 'RequestLatency',
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  dbErrors: 'DbErrors',
  checkouts: 'Checkouts',
  checkoutErrors: 'CheckoutErrors',
} as const;

/** EMF allows at most 100 values in one metric's Values array. */
const MAX_VALUES = 100;

export interface EmfCounters {
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly dbErrors: number;
  readonly checkouts: number;
  readonly checkoutErrors: number;
}

export interface EmfWindow {
  readonly autoScalingGroupName: string;
  readonly timestamp: number;
  /** Counts of the window (deltas, not totals). */
  readonly counters: EmfCounters;
  readonly latencies: ReadonlyMap<string, readonly number[]>;
}

type EmfDocument = Record<string, unknown>;

/**
 * Durations rounded to 0.1 ms and counted: Values/Counts pairs of at most 100 values each.
 * Values and Counts keep the raw distribution, so CloudWatch can compute percentiles (the
 * p99 alarm): PutMetricData API reference, "supports retrieving percentile statistics".
 */
const histogramChunks = (
  milliseconds: readonly number[],
): { Values: number[]; Counts: number[] }[] => {
  const counts = new Map<number, number>();
  for (const value of milliseconds) {
    const rounded = Math.round(value * 10) / 10;
    counts.set(rounded, (counts.get(rounded) ?? 0) + 1);
  }
  const entries = [...counts.entries()].sort(([a], [b]) => a - b);
  const chunks: { Values: number[]; Counts: number[] }[] = [];
  for (let start = 0; start < entries.length; start += MAX_VALUES) {
    const slice = entries.slice(start, start + MAX_VALUES);
    chunks.push({ Values: slice.map(([v]) => v), Counts: slice.map(([, c]) => c) });
  }
  return chunks;
};

/**
 * The window's documents: one with the counters (web group dimension), and per route as many
 * latency documents as its distinct values need, each published both per route and for the
 * whole group (two dimension sets), so an alarm can watch the group's p99.
 */
export const emfDocuments = (window: EmfWindow): EmfDocument[] => {
  const group = { AutoScalingGroupName: window.autoScalingGroupName };
  const metadata = (dimensions: string[][], metrics: { Name: string; Unit: string }[]) => ({
    _aws: {
      Timestamp: window.timestamp,
      CloudWatchMetrics: [
        { Namespace: WEB_TIER_NAMESPACE, Dimensions: dimensions, Metrics: metrics },
      ],
    },
  });
  const { counters } = window;
  const counterDocument: EmfDocument = {
    ...metadata(
      [['AutoScalingGroupName']],
      Object.keys(counters).map((key) => ({
        Name: SHOP_METRIC[key as keyof EmfCounters],
        Unit: 'Count',
      })),
    ),
    ...group,
    ...Object.fromEntries(
      Object.entries(counters).map(([key, value]) => [
        SHOP_METRIC[key as keyof EmfCounters],
        value,
      ]),
    ),
  };
  const latencyDocuments = [...window.latencies.entries()].flatMap(([route, values]) =>
    histogramChunks(values).map(
      (chunk): EmfDocument => ({
        ...metadata(
          [['AutoScalingGroupName', 'Route'], ['AutoScalingGroupName']],
          [{ Name: SHOP_METRIC.requestLatency, Unit: 'Milliseconds' }],
        ),
        ...group,
        Route: route,
        [SHOP_METRIC.requestLatency]: chunk,
      }),
    ),
  );
  return [counterDocument, ...latencyDocuments];
};
