import * as z from 'zod/mini';
import {
  type EventOf,
  lazyEventBridgeEvent,
  list,
  nonEmptyText,
  optionalText,
  truncatedText,
} from './schema-kit.js';

/** A longer Health description is truncated to this many characters, never rejected. */
export const MAX_HEALTH_DESCRIPTION_LENGTH = 32_768;

/**
 * `aws.health` "AWS Health Event". `eventRegion` is the affected region; the envelope `region`
 * is where it was delivered (backup copies arrive in a second region with the same
 * `eventArn` + `communicationId`). An AZ impairment names the AZ only inside the description.
 */
export const HEALTH_DETAIL_TYPES = ['AWS Health Event', 'AWS Health Abuse Event'] as const;

/** Abuse reports come as their own detail-type, in the same shape (service `ABUSE`). */
export const HealthEventSchema = lazyEventBridgeEvent('aws.health', HEALTH_DETAIL_TYPES, () =>
  z.object({
    eventArn: nonEmptyText(512),
    service: nonEmptyText(64),
    eventTypeCode: nonEmptyText(128),
    /** issue | scheduledChange | accountNotification | investigation (AWS may add more). */
    eventTypeCategory: nonEmptyText(64),
    eventScopeCode: optionalText(32),
    communicationId: optionalText(256),
    /** `Fri, 27 Aug 2026 13:19:03 GMT`; in the future for scheduled changes. */
    startTime: optionalText(64),
    /** open | closed | upcoming. */
    statusCode: optionalText(32),
    eventRegion: optionalText(64),
    eventDescription: z.optional(
      list(
        z.object({
          language: optionalText(16),
          // Public events carry the latest update only, usually a few KB; more is cut, so that
          // a verbose update never disables the source.
          latestDescription: z.optional(truncatedText(MAX_HEALTH_DESCRIPTION_LENGTH)),
        }),
        10,
      ),
    ),
    affectedEntities: z.optional(list(z.object({ entityValue: nonEmptyText(1024) }), 1000)),
  }),
);
export type HealthEvent = EventOf<typeof HealthEventSchema>;
