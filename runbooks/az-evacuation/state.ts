import { inputAt, PLAN_ROOT, statePath } from '../../functions/lib/runbook/state-paths.js';

/**
 * Where an az-evacuation run keeps what: the paths state-machine.ts reads, built from the
 * types steps.ts returns.
 */

/** The check's plan for an evacuation (`$.guardrail.plan`). */
export interface AzEvacuationPlan {
  /** The load balancer's ARN: the zonal shift's resource. */
  readonly resourceIdentifier: string;
  /**
   * The web group's ARN (DescribeAutoScalingGroups): a zonal-shift resource of its own. Its AZ
   * impairment policy reacts only to a shift started on the group, not to the load balancer's.
   */
  readonly groupArn: string;
  /** The impaired AZ's ID (`use1-az2`): zonal shifts name AZs by ID. */
  readonly awayFrom: string;
  readonly availabilityZone: string;
  /** The shift's expiry, e.g. `6h`. */
  readonly expiresIn: string;
  readonly previousDesired: number;
  readonly previousMax: number;
  readonly newDesired: number;
  readonly newMax: number;
}

/** Where ListShifts puts the load balancer's active shifts, which the check reads. */
export const SHIFTS_KEY = 'shifts';
/** Where StartZonalShift puts the started shift, which the recovery check reads. */
export const SHIFT_KEY = 'shift';
/** Where StartGroupShift puts the web group's shift. */
export const GROUP_SHIFT = '$.groupShift';
/** Where ConfirmShift puts the load balancer's zonal shifts, and ShiftApplied its verdict. */
export const CONFIRM_KEY = 'confirm';
export const CONFIRM = `$.${CONFIRM_KEY}`;

export const INPUT = inputAt<'az-evacuation'>();
export const PLAN = statePath<AzEvacuationPlan>(PLAN_ROOT);
export const SHIFTS = `$.${SHIFTS_KEY}`;
export const SHIFT = `$.${SHIFT_KEY}`;
