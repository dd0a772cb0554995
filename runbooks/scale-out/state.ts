import * as z from 'zod/mini';
import { nonEmptyText } from '../../functions/lib/events/schema-kit.js';
import {
  inputAt,
  PLAN_ROOT,
  statePath,
  VERIFY_ROOT,
  type VerifyResult,
} from '../../functions/lib/runbook/state-paths.js';

/**
 * Where a scale-out run keeps what: the paths state-machine.ts reads, built from the types
 * steps.ts returns.
 */

const count = z.number().check(z.int(), z.nonnegative());

/** The check's plan for an `act` verdict (`$.guardrail.plan`), as the verify step reads it back. */
export const ScaleOutPlanSchema = z.object({
  groupName: nonEmptyText(255),
  previousMax: count,
  previousDesired: count,
  newMax: count,
  newDesired: count,
  normalMax: count,
});
export type ScaleOutPlan = z.infer<typeof ScaleOutPlanSchema>;

/** The verify step's answer (`$.verify`). */
export interface ScaleOutVerifyResult extends VerifyResult {
  readonly serving: number;
  /** Serving instances needed: the planned desired, or less if target tracking scaled in since. */
  readonly needed: number;
  /** When recovered: the `at()` time of the return to the normal maximum (UTC). */
  readonly returnAt?: string;
  /** When recovered: the return schedule's name. */
  readonly returnScheduleName?: string;
}

export const INPUT = inputAt<'scale-out'>();
export const PLAN = statePath<ScaleOutPlan>(PLAN_ROOT);
export const VERIFY = statePath<ScaleOutVerifyResult>(VERIFY_ROOT);
