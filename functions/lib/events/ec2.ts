import * as z from 'zod/mini';
import { type EventOf, lazyEventBridgeEvent, nonEmptyText, optionalText } from './schema-kit.js';

/**
 * `aws.ec2` events about one instance, which name only the instance (Amazon EC2 User Guide,
 * "State change events for Amazon EC2 instances", "Spot Instance interruption notices",
 * "EC2 instance rebalance recommendations"). Whether it is a web instance is looked up when
 * the event comes (the inventory's `groupInstances`).
 */
export const EC2_INSTANCE_DETAIL_TYPES = [
  'EC2 Instance State-change Notification',
  'EC2 Spot Instance Interruption Warning',
  'EC2 Instance Rebalance Recommendation',
] as const;

export const Ec2InstanceEventSchema = lazyEventBridgeEvent(
  'aws.ec2',
  EC2_INSTANCE_DETAIL_TYPES,
  () =>
    z.object({
      'instance-id': nonEmptyText(32),
      /** State-change only: pending | running | stopping | stopped | shutting-down | terminated. */
      state: optionalText(32),
      /** Spot interruption only: terminate | stop | hibernate. */
      'instance-action': optionalText(32),
    }),
);
export type Ec2InstanceEvent = EventOf<typeof Ec2InstanceEventSchema>;
