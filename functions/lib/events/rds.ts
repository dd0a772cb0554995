import * as z from 'zod/mini';
import {
  type EventOf,
  lazyEventBridgeEvent,
  list,
  nonEmptyText,
  optionalText,
  text,
} from './schema-kit.js';

/**
 * `aws.rds` "RDS DB Instance Event" (best effort; may arrive out of order or not at all).
 * `Message` is deliberately not declared: classification never matches on free text.
 */
export const RdsInstanceEventSchema = lazyEventBridgeEvent(
  'aws.rds',
  ['RDS DB Instance Event'],
  () =>
    z.object({
      /** `RDS-EVENT-0013`; absent on some events. */
      EventID: optionalText(32),
      EventCategories: z.optional(list(text(64), 20)),
      SourceType: optionalText(64),
      /** The DB instance id, sometimes prefixed `rds:`. */
      SourceIdentifier: nonEmptyText(128),
    }),
);
export type RdsInstanceEvent = EventOf<typeof RdsInstanceEventSchema>;
