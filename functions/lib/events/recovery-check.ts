import * as z from 'zod/mini';
import type { RecoveryCheck } from '../core/ports.js';
import { nonEmptyText } from './schema-kit.js';

/**
 * The input EventBridge Scheduler hands triage when a recovery check is due (the schedule's
 * `Target.Input`, see aws/scheduler-recovery-timer.ts). Only Rebound's own schedules send it:
 * the function's resource policy lets only the scheduler role invoke it besides EventBridge.
 */
export const RECOVERY_CHECK_SOURCE = 'rebound.recovery-check';

const RecoveryCheckInputSchema = z.object({
  source: z.literal(RECOVERY_CHECK_SOURCE),
  detail: z.object({
    name: nonEmptyText(64),
    incidentId: nonEmptyText(64),
    partKey: nonEmptyText(512),
    dueAt: z.iso.datetime(),
  }),
});

/** The input a schedule sends for `check`. */
export const recoveryCheckInput = (check: RecoveryCheck) => ({
  source: RECOVERY_CHECK_SOURCE,
  detail: check,
});

/** The check in a scheduler's input; undefined for anything else (an EventBridge event…). */
export const parseRecoveryCheck = (raw: unknown): RecoveryCheck | undefined => {
  const parsed = RecoveryCheckInputSchema.safeParse(raw);
  return parsed.success ? parsed.data.detail : undefined;
};
