import * as z from 'zod/mini';
import { type EventOf, lazyEventBridgeEvent, nonEmptyText, optionalText } from './schema-kit.js';

/** `aws.autoscaling` events (best effort delivery): activity results, lifecycle hooks, refreshes. */

export const AUTO_SCALING_ACTIVITY_DETAIL_TYPES = [
  'EC2 Instance Launch Successful',
  'EC2 Instance Launch Unsuccessful',
  'EC2 Instance Terminate Successful',
  'EC2 Instance Terminate Unsuccessful',
] as const;

export const AUTO_SCALING_LIFECYCLE_DETAIL_TYPES = [
  'EC2 Instance-launch Lifecycle Action',
  'EC2 Instance-terminate Lifecycle Action',
] as const;

export const AUTO_SCALING_REFRESH_DETAIL_TYPES = [
  'EC2 Auto Scaling Instance Refresh Started',
  'EC2 Auto Scaling Instance Refresh Succeeded',
  'EC2 Auto Scaling Instance Refresh Failed',
  'EC2 Auto Scaling Instance Refresh Cancelled',
  'EC2 Auto Scaling Instance Refresh Checkpoint Reached',
] as const;

const groupName = () => nonEmptyText(255);
/** Empty on some failed launches: no instance was created. */
const instanceId = () => optionalText(64);

export const AutoScalingActivitySchema = lazyEventBridgeEvent(
  'aws.autoscaling',
  AUTO_SCALING_ACTIVITY_DETAIL_TYPES,
  () =>
    z.object({
      AutoScalingGroupName: groupName(),
      EC2InstanceId: instanceId(),
      /** May read `InProgress` on "Successful" events. */
      StatusCode: optionalText(64),
      StatusMessage: optionalText(2048),
      Cause: optionalText(2048),
      /** The AZ key has a space in it; only launch/terminate results carry it. */
      Details: z.optional(z.object({ 'Availability Zone': optionalText(64) })),
    }),
);
export type AutoScalingActivityEvent = EventOf<typeof AutoScalingActivitySchema>;

export const AutoScalingLifecycleSchema = lazyEventBridgeEvent(
  'aws.autoscaling',
  AUTO_SCALING_LIFECYCLE_DETAIL_TYPES,
  () =>
    z.object({
      AutoScalingGroupName: groupName(),
      EC2InstanceId: instanceId(),
      LifecycleHookName: optionalText(255),
    }),
);
export type AutoScalingLifecycleEvent = EventOf<typeof AutoScalingLifecycleSchema>;

export const AutoScalingRefreshSchema = lazyEventBridgeEvent(
  'aws.autoscaling',
  AUTO_SCALING_REFRESH_DETAIL_TYPES,
  () =>
    z.object({
      AutoScalingGroupName: groupName(),
      InstanceRefreshId: optionalText(64),
    }),
);
export type AutoScalingRefreshEvent = EventOf<typeof AutoScalingRefreshSchema>;
