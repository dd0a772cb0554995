import type { ReboundEvent } from './rebound-event.js';

/**
 * Idempotency key from the source event: Health → `health:<eventArn>:<communicationId>` (backup
 * copies in a second region share it), else `event:<id>` (EventBridge id, SNS MessageId).
 */
export function idempotencyKeyOf(event: ReboundEvent): string {
  if (event.source === 'aws.health' && event.detail.communicationId !== undefined) {
    return `health:${event.detail.eventArn}:${event.detail.communicationId}`;
  }
  return `event:${event.id}`;
}
