/** Latency figures of one measured phase: percentiles by nearest rank, throughput. */

/** The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest value ≥ p % of the values. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} must be in (0, 100]`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
};

export interface LatencySummary {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

export const summarize = (latenciesMs: readonly number[], seconds: number): LatencySummary => {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    perSecond: sorted.length / seconds,
  };
};

/** How much lower `value` is than `baseline`, in % (60 → 60 % lower). */
export const reductionPercent = (baseline: number, value: number): number =>
  ((baseline - value) / baseline) * 100;
