import { type Column, tableLine } from '../bench/table.js';
import { type LatencySummary, reductionPercent } from './stats.js';

/**
 * How `npm run bench:shop` prints what it measured: the side-by-side table of catalog reads,
 * the goal's pass/FAIL lines (issue 15: with the cache at least 60 % lower p50 and p99 than the
 * replica alone) and the checkout line. Pure, so it is tested without measuring anything.
 */

export const GOAL_REDUCTION_PERCENT = 60;

export interface ReadPhase {
  readonly mode: string;
  /** The HTTP request as the client saw it. */
  readonly latency: LatencySummary;
  /** The catalog read inside the server (cache or database), from its Server-Timing header. */
  readonly read: LatencySummary;
  /** Cache hits / (hits + misses) in the measured window; undefined without a cache. */
  readonly hitRatio: number | undefined;
  /** Queries the server sent to the replica per measured second. */
  readonly replicaQueriesPerSecond: number;
}

const COLUMNS: readonly Column[] = [
  ['catalog read', 18],
  ['HTTP p50', 9],
  ['HTTP p99', 9],
  ['read p50', 9],
  ['read p99', 9],
  ['requests/s', 11],
  ['hit ratio', 10],
  ['replica q/s', 12],
];

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const percent = (value: number): string => `${value.toFixed(1)} %`;
const signed = (value: number): string =>
  `${value <= 0 ? '−' : '+'}${Math.abs(value).toFixed(0)} %`;

/** The table: the replica alone, the cache, and the cache's change against the replica. */
export const readTable = (replica: ReadPhase, cached: ReadPhase): string[] => {
  const row = (phase: ReadPhase) =>
    tableLine(COLUMNS, [
      phase.mode,
      ms(phase.latency.p50Ms),
      ms(phase.latency.p99Ms),
      ms(phase.read.p50Ms),
      ms(phase.read.p99Ms),
      phase.latency.perSecond.toFixed(0),
      phase.hitRatio === undefined ? '-' : percent(phase.hitRatio * 100),
      phase.replicaQueriesPerSecond.toFixed(0),
    ]);
  const change = (before: number, after: number) => signed(-reductionPercent(before, after));
  return [
    tableLine(
      COLUMNS,
      COLUMNS.map(([title]) => title),
    ),
    row(replica),
    row(cached),
    tableLine(COLUMNS, [
      'cache vs replica',
      change(replica.latency.p50Ms, cached.latency.p50Ms),
      change(replica.latency.p99Ms, cached.latency.p99Ms),
      change(replica.read.p50Ms, cached.read.p50Ms),
      change(replica.read.p99Ms, cached.read.p99Ms),
      change(replica.latency.perSecond, cached.latency.perSecond),
      '',
      change(replica.replicaQueriesPerSecond, cached.replicaQueriesPerSecond),
    ]),
  ];
};

/**
 * One pass/FAIL line per percentile, for the catalog read (the design's claim: the read's
 * latency, cache against replica) and for the whole HTTP request (what a customer waits for,
 * the same server work around both), with the hit ratio the cache ran at.
 */
export const goalLines = (replica: ReadPhase, cached: ReadPhase): string[] => {
  const hitRatio = percent((cached.hitRatio ?? 0) * 100);
  const lines: string[] = [];
  for (const [what, key] of [
    ['catalog read', 'read'],
    ['HTTP request', 'latency'],
  ] as const) {
    for (const [name, percentileKey] of [
      ['p50', 'p50Ms'],
      ['p99', 'p99Ms'],
    ] as const) {
      const lower = reductionPercent(replica[key][percentileKey], cached[key][percentileKey]);
      const verdict = lower >= GOAL_REDUCTION_PERCENT ? 'pass' : 'FAIL';
      lines.push(
        `${verdict}: ${what} ${name} with the cache ${lower.toFixed(0)} % lower than the replica alone (goal ≥${GOAL_REDUCTION_PERCENT} %) at a ${hitRatio} hit ratio`,
      );
    }
  }
  return lines;
};

/**
 * Why the cache's p99 can miss the goal: while more than 1 % of the reads miss, the 99th
 * percentile is a miss, which costs a Redis GET, the replica read and a Redis SET: more than
 * the replica alone. Nothing to say when the misses are under 1 %.
 */
export const missRatioNote = (cached: ReadPhase): string | undefined => {
  const missPercent = (1 - (cached.hitRatio ?? 0)) * 100;
  if (missPercent < 1) return undefined;
  return `note: ${percent(missPercent)} of reads missed the cache; p99 is a cache hit only while misses stay under 1 %, otherwise it is a miss (Redis GET, replica read, Redis SET)`;
};

export const checkoutLine = (checkout: LatencySummary): string =>
  `checkout on the primary (POST /api/checkout): p50 ${ms(checkout.p50Ms)}, p99 ${ms(checkout.p99Ms)}, ${checkout.perSecond.toFixed(0)} orders/s`;

/** Requests that got an unexpected answer, if any: never hidden behind the percentiles. */
export const failureLine = (
  phase: string,
  failures: Readonly<Record<string, number>>,
): string[] => {
  const entries = Object.entries(failures);
  if (entries.length === 0) return [];
  return [
    `${phase}: ${entries.map(([status, count]) => `${count}× ${status}`).join(', ')} not counted in the latencies`,
  ];
};
