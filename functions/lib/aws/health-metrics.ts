import type { ParseFailureKind } from '../events/rebound-event.js';
import type { CountMetric } from './embedded-metric.js';

/**
 * The metrics triage writes about its own health (embedded metric format, namespace
 * `Rebound`), and how it recognises the heartbeat. The alarms on them live in
 * infra/control-plane/health-alarms.ts.
 */
export const HEALTH_NAMESPACE = 'Rebound';

/**
 * `Heartbeats{Stage}`: one per heartbeat event triage received. The heartbeat is a scheduled
 * EventBridge rule (`<namePrefix>-heartbeat`) into triage through the same target settings as
 * every intake rule; when the count stops, the alarm says Rebound is not hearing events.
 */
export const HEARTBEATS = { metricName: 'Heartbeats', dimension: 'Stage' } as const;

export const heartbeatRuleName = (namePrefix: string): string => `${namePrefix}-heartbeat`;

export const heartbeatMetric = (stage: string): CountMetric => ({
  namespace: HEALTH_NAMESPACE,
  metricName: HEARTBEATS.metricName,
  dimensions: { [HEARTBEATS.dimension]: stage },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A scheduled event of this stage's heartbeat rule: source `aws.events`, detail-type
 * `Scheduled Event`, the rule's ARN in `resources`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html).
 */
export const isHeartbeat = (raw: unknown, namePrefix: string): boolean =>
  isRecord(raw) &&
  raw.source === 'aws.events' &&
  raw['detail-type'] === 'Scheduled Event' &&
  Array.isArray(raw.resources) &&
  raw.resources.some(
    (arn) => typeof arn === 'string' && arn.endsWith(`:rule/${heartbeatRuleName(namePrefix)}`),
  );

/**
 * `IgnoredEvents{Source,Reason}` and `IgnoredEvents{Origin}`: events the parser rejected. An AWS
 * source rejected (`Origin=aws`) means a schema no longer matches what AWS sends: the alarm on
 * it keeps a schema drift from silently disabling a source.
 */
export const IGNORED_EVENTS = {
  metricName: 'IgnoredEvents',
  source: 'Source',
  reason: 'Reason',
  origin: 'Origin',
} as const;

/** `Source` when the event has none usable. */
const UNKNOWN_SOURCE = 'unknown';
/** Dimension values stay short and printable whatever the input holds. */
const MAX_SOURCE_LENGTH = 64;

/** Where a rejected input came from: its `source`, or ElastiCache for SNS records. */
const sourceOf = (raw: unknown): string => {
  if (!isRecord(raw)) return UNKNOWN_SOURCE;
  // The only SNS subscription of triage is the cache's notification topic.
  if ('Records' in raw) return 'aws.elasticache';
  const { source } = raw;
  if (typeof source !== 'string' || !/^[\w.-]{1,64}$/.test(source)) return UNKNOWN_SOURCE;
  return source.slice(0, MAX_SOURCE_LENGTH);
};

export const ignoredEventMetric = (raw: unknown, reason: ParseFailureKind): CountMetric => {
  const source = sourceOf(raw);
  return {
    namespace: HEALTH_NAMESPACE,
    metricName: IGNORED_EVENTS.metricName,
    dimensions: {
      [IGNORED_EVENTS.source]: source,
      [IGNORED_EVENTS.reason]: reason,
      [IGNORED_EVENTS.origin]: source.startsWith('aws.') ? 'aws' : 'other',
    },
    dimensionSets: [[IGNORED_EVENTS.source, IGNORED_EVENTS.reason], [IGNORED_EVENTS.origin]],
  };
};
