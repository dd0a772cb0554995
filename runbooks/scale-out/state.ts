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
}

/**
 * The return step's answer (`$.return`): lower the maximum to `maxSize` now, hold the raised
 * maximum (pressure, an AZ evacuation) and look again later, or leave the maximum as it is.
 */
export interface ReturnDecision {
  readonly action: 'return' | 'hold' | 'leave';
  readonly detail: string;
  /** With `return`: max(normal maximum, desired capacity). */
  readonly maxSize?: number;
}

/** Where ReturnShifts puts the account's active zonal shifts, which the return step reads. */
export const SHIFTS_KEY = 'shifts';
export const SHIFTS = `$.${SHIFTS_KEY}`;
/** Where ReturnAlarm puts the pressure alarm's state values, which the return step reads. */
export const ALARM_NOW_KEY = 'alarmNow';
export const ALARM_NOW = `$.${ALARM_NOW_KEY}`;

export const INPUT = inputAt<'scale-out'>();
export const PLAN = statePath<ScaleOutPlan>(PLAN_ROOT);
export const VERIFY = statePath<ScaleOutVerifyResult>(VERIFY_ROOT);
export const RETURN = statePath<ReturnDecision>('$.return');
