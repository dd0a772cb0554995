import { statisticOf } from './statistics.js';

/**
 * CloudWatch Metrics Insights queries, as far as Rebound's runbooks use them:
 *
 *   SELECT FUNC(metric) FROM SCHEMA("namespace", key, …) [WHERE key = 'value' [AND …]]
 *   [GROUP BY key [, …]] [ORDER BY FUNC() [DESC | ASC]] [LIMIT n]
 *
 * with FUNC one of AVG, COUNT, MAX, MIN, SUM (CloudWatch user guide, "Metrics Insights query
 * components and syntax"). What the answer holds follows the user guide's "SQL inference":
 * observations are rolled up into buckets of the requested period, [start, end), each stamped
 * with its start; GROUP BY returns one time series per group, labelled with the group's value;
 * ORDER BY aggregates each series over the whole queried window. SCHEMA matches only the
 * metrics whose dimensions are exactly its keys. Any other query is refused.
 */

export type InsightsFunction = 'AVG' | 'COUNT' | 'MAX' | 'MIN' | 'SUM';

export interface InsightsQuery {
  readonly fn: InsightsFunction;
  readonly metricName: string;
  readonly namespace: string;
  readonly schemaKeys: readonly string[];
  readonly where: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
  readonly orderBy?: { readonly fn: InsightsFunction; readonly descending: boolean };
  readonly limit?: number;
}

export class UnsupportedQueryError extends Error {
  override readonly name = 'UnsupportedQueryError';
}

const FN = '(AVG|COUNT|MAX|MIN|SUM)';
const QUERY = new RegExp(
  [
    `^SELECT\\s+${FN}\\((\\w+)\\)`,
    `\\s+FROM\\s+SCHEMA\\(\\s*"([^"]+)"((?:\\s*,\\s*\\w+)*)\\s*\\)`,
    `(?:\\s+WHERE\\s+(\\w+\\s*=\\s*'[^']*'(?:\\s+AND\\s+\\w+\\s*=\\s*'[^']*')*))?`,
    `(?:\\s+GROUP\\s+BY\\s+(\\w+(?:\\s*,\\s*\\w+)*))?`,
    `(?:\\s+ORDER\\s+BY\\s+${FN}\\(\\)(?:\\s+(DESC|ASC))?)?`,
    '(?:\\s+LIMIT\\s+(\\d+))?\\s*$',
  ].join(''),
  'i',
);

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

export const parseInsightsQuery = (query: string): InsightsQuery => {
  const match = QUERY.exec(query.trim());
  if (match === null)
    throw new UnsupportedQueryError(
      `the game day does not answer the Metrics Insights query "${query}" (it knows SELECT FUNC(metric) FROM SCHEMA(…) [WHERE k = 'v' AND …] [GROUP BY …] [ORDER BY FUNC() DESC|ASC] [LIMIT n])`,
    );
  const [, fn, metricName, namespace, keys, where, groupBy, orderFn, direction, limit] = match;
  const upper = (value: string | undefined) => value?.toUpperCase() as InsightsFunction;
  return {
    fn: upper(fn),
    metricName: metricName ?? '',
    namespace: namespace ?? '',
    schemaKeys: list(keys),
    where: Object.fromEntries(
      [...(where ?? '').matchAll(/(\w+)\s*=\s*'([^']*)'/g)].map(([, key, value]) => [
        key ?? '',
        value ?? '',
      ]),
    ),
    groupBy: list(groupBy),
    ...(orderFn === undefined
      ? {}
      : { orderBy: { fn: upper(orderFn), descending: direction?.toUpperCase() !== 'ASC' } }),
    ...(limit === undefined ? {} : { limit: Number(limit) }),
  };
};

/** Each function is the CloudWatch statistic of the same name. */
const STATISTIC: Readonly<Record<InsightsFunction, string>> = {
  AVG: 'Average',
  COUNT: 'SampleCount',
  MAX: 'Maximum',
  MIN: 'Minimum',
  SUM: 'Sum',
};
const apply = (fn: InsightsFunction, values: readonly number[]): number =>
  statisticOf(STATISTIC[fn], values) ?? 0;

/** One metric's series as published: its dimensions and [time ms, value] observations. */
export interface PublishedSeries {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [number, number])[];
}

/** One result time series: its label and its buckets, newest first (GetMetricData's default). */
export interface InsightsSeries {
  readonly label: string;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

/**
 * The query's answer over the observations of `series` within [startMs, endMs) in buckets of
 * `periodMs`. Descending order is ORDER BY's default (the user guide's syntax: DESC | ASC).
 */
export const runInsightsQuery = (
  query: InsightsQuery,
  series: readonly PublishedSeries[],
  startMs: number,
  endMs: number,
  periodMs: number,
): InsightsSeries[] => {
  const keys = [...query.schemaKeys].sort();
  const matching = series.filter(({ dimensions }) => {
    const names = Object.keys(dimensions).sort();
    return (
      names.length === keys.length &&
      names.every((name, index) => name === keys[index]) &&
      Object.entries(query.where).every(([key, value]) => dimensions[key] === value)
    );
  });
  const groups = new Map<string, (readonly [number, number])[]>();
  for (const { dimensions, samples } of matching) {
    const label = query.groupBy.map((key) => dimensions[key] ?? '').join(' ');
    const kept = samples.filter(([at]) => at >= startMs && at < endMs);
    groups.set(label, [...(groups.get(label) ?? []), ...kept]);
  }
  const results = [...groups]
    .filter(([, samples]) => samples.length > 0)
    .map(([label, samples]) => {
      const buckets = new Map<number, number[]>();
      for (const [at, value] of samples) {
        const bucket = Math.floor(at / periodMs) * periodMs;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), value]);
      }
      const timestamps = [...buckets.keys()].sort((a, b) => b - a);
      return {
        label,
        timestamps,
        values: timestamps.map((at) => apply(query.fn, buckets.get(at) ?? [])),
        ordering:
          query.orderBy === undefined
            ? 0
            : apply(
                query.orderBy.fn,
                samples.map(([, v]) => v),
              ),
      };
    });
  const { orderBy } = query;
  if (orderBy !== undefined)
    results.sort((a, b) =>
      orderBy.descending ? b.ordering - a.ordering : a.ordering - b.ordering,
    );
  return results
    .slice(0, query.limit ?? results.length)
    .map(({ label, timestamps, values }) => ({ label, timestamps, values }));
};
