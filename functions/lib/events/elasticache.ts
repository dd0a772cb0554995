import * as z from 'zod/mini';
import {
  builtOnce,
  type EventOf,
  lazyEventBridgeEvent,
  list,
  nonEmptyText,
  text,
} from './schema-kit.js';

/**
 * ElastiCache replication-group events (`ElastiCache:FailoverComplete`,
 * `ElastiCache:CacheNodeReplaceStarted`…) reach us only through the group's SNS topic (only
 * ElastiCache Serverless caches publish to EventBridge, and the shop's cache is a replication
 * group: https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-elasticache.html). The Lambda SNS event is normalised into the EventBridge envelope shape so that
 * everything downstream handles one kind of event.
 */

export const ELASTICACHE_SOURCE = 'rebound.elasticache';
export const ELASTICACHE_DETAIL_TYPE = 'ElastiCache Notification';

const EVENT_NAME = /^ElastiCache:[A-Za-z]{1,64}$/;
/** Replication group, cluster (`<group>-001`) or node (`<group>-0001-001`) id. */
const CACHE_ID = /^[A-Za-z0-9-]{1,128}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]{1,32}):(\d{12}):[A-Za-z0-9_-]{1,256}$/;

export const lambdaSnsEventSchema = builtOnce(() =>
  z.object({
    Records: list(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({
          MessageId: nonEmptyText(128),
          Timestamp: nonEmptyText(64),
          TopicArn: z.string().check(z.regex(TOPIC_ARN, 'expected an SNS topic ARN')),
          Message: text(8192),
        }),
      }),
      10,
    ).check(z.minLength(1)),
  }),
);
export type LambdaSnsEvent = z.infer<ReturnType<typeof lambdaSnsEventSchema>>;
type SnsRecord = LambdaSnsEvent['Records'][number];

export const ElastiCacheNotificationSchema = lazyEventBridgeEvent(
  ELASTICACHE_SOURCE,
  [ELASTICACHE_DETAIL_TYPE],
  () =>
    z.object({
      event: z.string().check(z.regex(EVENT_NAME, 'expected ElastiCache:<EventName>')),
      /** Node or group id; a few events (CertificateRenewalComplete) name none. */
      target: z.optional(z.string().check(z.regex(CACHE_ID, 'expected a cache node or group id'))),
    }),
);
export type ElastiCacheNotificationEvent = EventOf<typeof ElastiCacheNotificationSchema>;

export interface ElastiCacheMessage {
  readonly event: string;
  readonly target?: string;
}

const EVENT_PREFIX = /^ElastiCache:[A-Za-z]{1,64}/;

/** `{"ElastiCache:FailoverComplete": "my-group-0001-002"}`, as delivered to subscribers. */
const readJsonMessage = (message: string): ElastiCacheMessage | undefined => {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const entry = Object.entries(body).find(([key]) => EVENT_PREFIX.test(key));
  if (entry === undefined) return undefined;
  const [event, target] = entry;
  return typeof target === 'string' && target !== '' ? { event, target } : { event };
};

/** `ElastiCache:FailoverComplete : my-group`, the form the ElastiCache guide documents. */
const readTextMessage = (message: string): ElastiCacheMessage | undefined => {
  const event = EVENT_PREFIX.exec(message)?.[0];
  if (event === undefined) return undefined;
  const target = message.slice(event.length).replace(/^\s*:/, '').trim();
  return target === '' ? { event } : { event, target };
};

/** The notification an SNS message carries, or undefined when it is not an ElastiCache one. */
export const readElastiCacheMessage = (message: string): ElastiCacheMessage | undefined => {
  const trimmed = message.trim();
  return trimmed.startsWith('{') ? readJsonMessage(trimmed) : readTextMessage(trimmed);
};

/** The EventBridge-shaped event for one SNS record (to be validated by the schema above). */
export const toElastiCacheEnvelope = (record: SnsRecord, message: ElastiCacheMessage) => {
  const [, region = '', account = ''] = TOPIC_ARN.exec(record.Sns.TopicArn) ?? [];
  return {
    version: '0',
    id: record.Sns.MessageId,
    'detail-type': ELASTICACHE_DETAIL_TYPE,
    source: ELASTICACHE_SOURCE,
    account,
    time: record.Sns.Timestamp,
    region,
    resources: [],
    detail: { ...message },
  };
};
