import { parse } from '@aws-lambda-powertools/parser';
import { ArcAutoshiftSchema } from './arc-zonal-shift.js';
import {
  AutoScalingActivitySchema,
  AutoScalingLifecycleSchema,
  AutoScalingRefreshSchema,
} from './autoscaling.js';
import { AlarmStateChangeSchema } from './cloudwatch.js';
import { Ec2InstanceEventSchema } from './ec2.js';
import {
  ElastiCacheNotificationSchema,
  lambdaSnsEventSchema,
  readElastiCacheMessage,
  toElastiCacheEnvelope,
} from './elasticache.js';
import { HealthEventSchema } from './health.js';
import { boundReason, describeIssues, issuesOf, quote } from './parse-reason.js';
import { RdsInstanceEventSchema } from './rds.js';
import type { ParseFailureKind, ParseResult, ReboundEvent } from './rebound-event.js';
import { ExecutionStatusChangeSchema } from './states.js';

// `parse` comes from the package root: parser, decorator and ParseError, ~0.5 KB minified.
// Powertools' own `schemas`/`envelopes` exports would pull classic zod (~450 KB): not used.

/**
 * The EventBridge schemas, each owning one source and a closed list of detail-types; each is
 * built with the first event it reads (schema-kit.ts, `lazyEventBridgeEvent`).
 */
const EVENT_BRIDGE_SCHEMAS = [
  AlarmStateChangeSchema,
  AutoScalingActivitySchema,
  AutoScalingLifecycleSchema,
  AutoScalingRefreshSchema,
  Ec2InstanceEventSchema,
  RdsInstanceEventSchema,
  HealthEventSchema,
  ExecutionStatusChangeSchema,
  ArcAutoshiftSchema,
] as const;
type EventBridgeSchema = (typeof EVENT_BRIDGE_SCHEMAS)[number];

const schemaFor = (
  source: unknown,
  detailType: unknown,
): ReturnType<EventBridgeSchema['schema']> | undefined =>
  EVENT_BRIDGE_SCHEMAS.find(
    (schema) =>
      schema.source === source &&
      schema.detailTypes.some((option: string) => option === detailType),
  )?.schema();

const failure = (reason: string, kind: ParseFailureKind = 'invalid'): ParseResult => ({
  ok: false,
  reason: boundReason(reason),
  kind,
});

const kindOf = (value: unknown): string => {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseEventBridgeEvent = (raw: Record<string, unknown>): ParseResult => {
  const source = raw.source;
  const detailType = raw['detail-type'];
  const schema = schemaFor(source, detailType);
  if (schema === undefined) {
    return failure(
      `unsupported event: source ${quote(source)} with detail-type ${quote(detailType)} is not handled`,
      'unsupported',
    );
  }
  const result = parse(raw, undefined, schema, true);
  if (!result.success) {
    return failure(`invalid ${quote(detailType)} event: ${describeIssues(issuesOf(result.error))}`);
  }
  const event: ReboundEvent = result.data;
  return { ok: true, events: [event] };
};

const parseSnsEvent = (raw: Record<string, unknown>): ParseResult => {
  const sns = parse(raw, undefined, lambdaSnsEventSchema(), true);
  if (!sns.success) {
    return failure(`invalid SNS event: ${describeIssues(issuesOf(sns.error))}`);
  }
  const events: ReboundEvent[] = [];
  for (const [index, record] of sns.data.Records.entries()) {
    const field = `Records.${index}.Sns.Message`;
    const message = readElastiCacheMessage(record.Sns.Message);
    if (message === undefined) {
      return failure(
        `${field}: not an ElastiCache notification ${quote(record.Sns.Message)} ` +
          '(expected {"ElastiCache:<Event>": "<id>"} or "ElastiCache:<Event> : <id>")',
      );
    }
    const event = parse(
      toElastiCacheEnvelope(record, message),
      undefined,
      ElastiCacheNotificationSchema.schema(),
      true,
    );
    if (!event.success) {
      return failure(`${field}: ${describeIssues(issuesOf(event.error))}`);
    }
    events.push(event.data);
  }
  return { ok: true, events };
};

/** Accepts an EventBridge event or a Lambda SNS event (ElastiCache); never throws. */
export function parseIncomingEvent(raw: unknown): ParseResult {
  if (!isRecord(raw)) return failure(`expected an event object, got ${kindOf(raw)}`);
  try {
    return 'Records' in raw ? parseSnsEvent(raw) : parseEventBridgeEvent(raw);
  } catch (error) {
    // Validation itself does not throw; this guards against the unforeseen (a hostile getter…).
    return failure(
      `event could not be validated: ${error instanceof Error ? error.message : quote(error)}`,
    );
  }
}
