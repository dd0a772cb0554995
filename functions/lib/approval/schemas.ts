import * as z from 'zod/mini';
import { RESOURCE_TYPES } from '../core/signal.js';
import { nonEmptyText } from '../events/schema-kit.js';
import { describeParseError, ExecutionSchema } from '../runbook/events.js';

/**
 * Payloads the runbook state machines send the approvals function (see `approvalGate` in
 * runbooks/kit/approval-gate.ts): `request` from RequestApproval (`.waitForTaskToken`, the payload
 * as-is) and `record` from RecordApproval (the answer given to SendTaskSuccess).
 */

const ApprovalContext = {
  runbook: nonEmptyText(64),
  incidentId: nonEmptyText(64),
  target: z.object({ type: z.enum(RESOURCE_TYPES), id: nonEmptyText(255) }),
  execution: ExecutionSchema,
};

export const ApprovalRequestEventSchema = z.object({
  type: z.literal('request'),
  ...ApprovalContext,
  /** Step Functions task tokens are long opaque strings (up to 1024 characters today). */
  taskToken: nonEmptyText(8192),
  /** One sentence: what the runbook will do once approved. */
  action: nonEmptyText(1000),
  /** How long the state waits for the answer (the task's timeout). */
  timeoutSeconds: z.int().check(z.minimum(60), z.maximum(7 * 24 * 60 * 60)),
});
export type ApprovalRequestEvent = z.infer<typeof ApprovalRequestEventSchema>;

export const ApprovalRecordEventSchema = z.object({
  type: z.literal('record'),
  ...ApprovalContext,
  /** Whatever was passed to SendTaskSuccess: normalised, never trusted. */
  answer: z.optional(z.unknown()),
});
export type ApprovalRecordEvent = z.infer<typeof ApprovalRecordEventSchema>;

export const ApprovalEventSchema = z.discriminatedUnion('type', [
  ApprovalRequestEventSchema,
  ApprovalRecordEventSchema,
]);
export type ApprovalEvent = z.infer<typeof ApprovalEventSchema>;

/** The payload, or an error naming what is wrong (a bad one is the state machine's bug). */
export const parseApprovalEvent = (event: unknown): ApprovalEvent => {
  const parsed = ApprovalEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new Error(`approvals got an invalid payload: ${describeParseError(parsed.error)}`);
  }
  return parsed.data;
};
