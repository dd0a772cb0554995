import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { type Clock, systemClock } from '../../functions/lib/core/ports.js';
import type { ReplicaLagReader } from './steps.js';

/** How far back the reader looks: RDS publishes `ReplicaLag` once a minute. */
export const REPLICA_LAG_WINDOW_MINUTES = 5;
/** One datapoint per minute: the highest lag within it. */
const PERIOD_SECONDS = 60;
/** GetMetricData answers in well under a second; beyond this the verify poll tries again later. */
export const DEFAULT_REPLICA_LAG_TIMEOUT_MS = 5_000;
/** GetMetricData takes at most 500 queries; RDS allows 15 read replicas per source. */
const MAX_QUERIES = 500;

export interface AwsReplicaLagReaderOptions {
  readonly clock?: Clock;
  /** Bound on the GetMetricData call, retries included (aborted after it). */
  readonly timeoutMs?: number;
}

/** The newest datapoint of one query's result, whatever order CloudWatch returned them in. */
const newestValue = (result: MetricDataResult | undefined): number | undefined => {
  const timestamps = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  let newest: { at: number; value: number } | undefined;
  timestamps.forEach((timestamp, index) => {
    const value = values[index];
    const at = new Date(timestamp).getTime();
    if (value === undefined || Number.isNaN(at)) return;
    if (newest === undefined || at > newest.at) newest = { at, value };
  });
  return newest?.value;
};

/**
 * {@link ReplicaLagReader} over CloudWatch: ONE GetMetricData call for every replica
 * (`AWS/RDS` `ReplicaLag` by `DBInstanceIdentifier`, Maximum per minute, the last 5 minutes,
 * newest first). A replica's lag is the Maximum of its newest minute; a replica without a
 * datapoint in the window is left out of the answer (its lag is unknown).
 *
 * NextToken is not followed: 5 datapoints per replica are far under what one answer holds
 * (100,800), and with TimestampDescending a partial answer still starts with the newest ones.
 * IAM: `cloudwatch:GetMetricData` on `*` (it supports no resource-level permissions).
 */
export class AwsReplicaLagReader implements ReplicaLagReader {
  readonly #cloudWatch: CloudWatchClient;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(cloudWatch: CloudWatchClient, options: AwsReplicaLagReaderOptions = {}) {
    this.#cloudWatch = cloudWatch;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REPLICA_LAG_TIMEOUT_MS;
  }

  async maxLagSeconds(replicaIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const lags = new Map<string, number>();
    if (replicaIds.length === 0) return lags;
    if (replicaIds.length > MAX_QUERIES) {
      throw new Error(
        `AwsReplicaLagReader: ${replicaIds.length} replicas, GetMetricData takes at most ${MAX_QUERIES} queries`,
      );
    }
    // Query ids must start with a lower-case letter; DB identifiers may hold hyphens.
    const queries: MetricDataQuery[] = replicaIds.map((replicaId, index) => ({
      Id: `lag${index}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/RDS',
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replicaId }],
        },
        Period: PERIOD_SECONDS,
        // No Unit: a mismatch with the published unit would silently return no data.
        Stat: 'Maximum',
      },
      ReturnData: true,
    }));
    const end = this.#clock.now();
    const start = new Date(end.getTime() - REPLICA_LAG_WINDOW_MINUTES * 60_000);
    const answer = await this.#cloudWatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: start,
        EndTime: end,
        ScanBy: 'TimestampDescending',
      }),
      { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
    );
    const results = answer.MetricDataResults ?? [];
    replicaIds.forEach((replicaId, index) => {
      const lag = newestValue(results.find((result) => result.Id === `lag${index}`));
      if (lag !== undefined) lags.set(replicaId, lag);
    });
    return lags;
  }
}
