import * as z from 'zod/mini';
import { type EventOf, lazyEventBridgeEvent, nonEmptyText, optionalText } from './schema-kit.js';

export const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;

/** `aws.states` "Step Functions Execution Status Change" (standard workflows only). */
export const ExecutionStatusChangeSchema = lazyEventBridgeEvent(
  'aws.states',
  ['Step Functions Execution Status Change'],
  () =>
    z.object({
      executionArn: nonEmptyText(1024),
      stateMachineArn: nonEmptyText(1024),
      name: optionalText(256),
      status: z.enum(EXECUTION_STATUSES),
    }),
);
export type ExecutionStatusChangeEvent = EventOf<typeof ExecutionStatusChangeSchema>;
