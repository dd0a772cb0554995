import * as z from 'zod/mini';
import { type EventOf, lazyEventBridgeEvent, optionalText, truncatedText } from './schema-kit.js';

/**
 * `aws.arc-zonal-shift` autoshift notifications (best effort delivery). `resources` lists the
 * shop's resources AWS shifted (empty in an observer notification), `detail.metadata.awayFrom`
 * the impaired AZ as an AZ ID (`use1-az2`). ARC Developer Guide, "Using zonal autoshift with
 * Amazon EventBridge", example zonal autoshift events.
 */
export const ARC_AUTOSHIFT_DETAIL_TYPES = ['Autoshift In Progress', 'Autoshift Completed'] as const;

export const ArcAutoshiftSchema = lazyEventBridgeEvent(
  'aws.arc-zonal-shift',
  ARC_AUTOSHIFT_DETAIL_TYPES,
  () =>
    z.object({
      metadata: z.object({
        /** AZ ID, 0 to 20 characters (ARC API reference, AutoshiftSummary.awayFrom). */
        awayFrom: optionalText(20),
        notes: z.optional(truncatedText(2048)),
      }),
    }),
);
export type ArcAutoshiftEvent = EventOf<typeof ArcAutoshiftSchema>;
