import * as z from 'zod/mini';
import type { Guardrails } from '../../functions/lib/core/guardrails.js';
import type { RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { type ActiveShift, ActiveShiftsSchema } from '../../functions/lib/runbook/az-impairment.js';
import {
  type Assessment,
  type CheckDeps,
  type CheckResult,
  checkRunbook,
} from '../../functions/lib/runbook/check.js';
import {
  alarmStateOf,
  DescribedAlarmsSchema,
  ExecutionSchema,
  parseTaskPayload,
} from '../../functions/lib/runbook/events.js';
import { type FleetReader, servingInstanceIds } from '../../functions/lib/runbook/fleet.js';
import { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import { inputShapeOf, requireDeployed } from '../../functions/lib/runbook/run-input.js';
import { CHECKED_ALARM_KEY } from '../../functions/lib/runbook/state-paths.js';
import {
  ALARM_NOW_KEY,
  type ReturnDecision,
  type ScaleOutPlan,
  ScaleOutPlanSchema,
  type ScaleOutVerifyResult,
  SHIFTS_KEY,
} from './state.js';

export type { ReturnDecision, ScaleOutPlan, ScaleOutVerifyResult };

/**
 * Runbook `scale-out`: the web group is stuck at its maximum under CPU/memory pressure. Raise
 * the maximum and desired capacity by the `scale-out-step` guardrail (never above
 * `max-scale-out-capacity`), wait until the new instances serve, then return the maximum
 * once the pressure has cleared (step `return`, {@link decideReturn}).
 */

export const SCALE_OUT_RUNBOOK = 'scale-out' satisfies RunbookName;
/** The group's size settings (DescribeAutoScalingGroups). */
export interface GroupCapacity {
  readonly groupName: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
}

export interface GroupCapacityReader {
  capacity(): Promise<GroupCapacity>;
}

const InputSchema = z.object({
  ...inputShapeOf('scale-out'),
  [CHECKED_ALARM_KEY]: z.optional(DescribedAlarmsSchema),
});

/** The task Lambda's payloads: `{ step, input: $, execution: $$.Execution }`. */
export const ScaleOutEventSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('check'), input: InputSchema, execution: ExecutionSchema }),
  z.object({
    step: z.literal('verify'),
    input: z.object({
      alarmName: inputShapeOf('scale-out').alarmName,
      guardrail: z.object({ plan: ScaleOutPlanSchema }),
    }),
    execution: ExecutionSchema,
  }),
  z.object({
    step: z.literal('return'),
    input: z.object({
      alarmName: inputShapeOf('scale-out').alarmName,
      guardrail: z.object({ plan: ScaleOutPlanSchema }),
      /** The ReturnShifts state's answer: every ACTIVE zonal shift of the account and Region. */
      [SHIFTS_KEY]: ActiveShiftsSchema,
      /** The ReturnAlarm state's answer (with `alarmName`): the alarm's state values. */
      [ALARM_NOW_KEY]: z.optional(z.object({ stateValues: z.array(z.string()) })),
    }),
    execution: ExecutionSchema,
  }),
]);
export type ScaleOutEvent = z.infer<typeof ScaleOutEventSchema>;
export type ScaleOutCheckEvent = Extract<ScaleOutEvent, { step: 'check' }>;
export type ScaleOutVerifyEvent = Extract<ScaleOutEvent, { step: 'verify' }>;
export type ScaleOutReturnEvent = Extract<ScaleOutEvent, { step: 'return' }>;

/** The payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseScaleOutEvent = (event: unknown): ScaleOutEvent =>
  parseTaskPayload(ScaleOutEventSchema, event);

/**
 * The runbook's own verdict on the live group, before budgets: act only when the named alarm
 * still fires, target tracking has no room left (desired at max) and the ceiling allows a step.
 */
export const assessScaleOut = (
  group: GroupCapacity,
  guardrails: Pick<Guardrails, 'scaleOutStep' | 'maxScaleOutCapacity'>,
  normalMax: number,
  alarm?: { readonly name: string; readonly state: string | undefined },
): Assessment => {
  const { groupName, maxSize: max, desiredCapacity: desired } = group;
  if (alarm?.state === 'OK') {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `the pressure is gone: alarm ${alarm.name} is OK again`,
    };
  }
  if (desired < max) {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `target tracking still has room: desired ${desired} of max ${max}; it scales by itself`,
    };
  }
  const ceiling = guardrails.maxScaleOutCapacity;
  if (max >= ceiling) {
    return {
      type: 'stop',
      verdict: 'refused',
      blockedBy: 'ceiling',
      reason: `${groupName} is already at max ${max}, at or above the ceiling of ${ceiling} (max-scale-out-capacity): nothing is raised`,
    };
  }
  if (guardrails.scaleOutStep === 0) {
    return {
      type: 'stop',
      verdict: 'refused',
      blockedBy: 'scale-out-step',
      reason: 'the scale-out-step guardrail is 0: nothing is raised',
    };
  }
  const newMax = Math.min(max + guardrails.scaleOutStep, ceiling);
  const newDesired = Math.min(desired + guardrails.scaleOutStep, newMax);
  return {
    type: 'mutate',
    action: `raise ${groupName} max ${max}→${newMax} and desired ${desired}→${newDesired}`,
    needsApproval: false,
    plan: {
      groupName,
      previousMax: max,
      previousDesired: desired,
      newMax,
      newDesired,
      normalMax,
    },
  };
};

export interface ScaleOutCheckDeps extends CheckDeps {
  readonly group: GroupCapacityReader;
  /** The shop's web group: the only group this runbook may touch. */
  readonly groupName: string;
  /** The configured maximum the group returns to. */
  readonly normalMax: number;
}

/** Step `check`: the shared guardrail check with this runbook's assessment. */
export const checkScaleOut = async (
  event: ScaleOutCheckEvent,
  deps: ScaleOutCheckDeps,
): Promise<CheckResult> => {
  const { input, execution } = event;
  requireDeployed('scale-out', input, { 'web-group': [deps.groupName] });
  const alarmState = alarmStateOf(input.alarm);
  if (input.alarmName !== undefined && alarmState === undefined) {
    // Waiting for an alarm that does not exist would only end in an escalation.
    throw new InvalidInputError(`input.alarmName: there is no alarm named ${input.alarmName}`);
  }
  return checkRunbook(
    {
      runbook: SCALE_OUT_RUNBOOK,
      kind: 'capacity-pressure',
      target: { type: 'auto-scaling-group', id: input.autoScalingGroupName },
      execution,
      incidentId: input.incidentId,
      reason: input.reason,
      dryRun: input.dryRun === 'true',
    },
    async (guardrails) =>
      assessScaleOut(
        await deps.group.capacity(),
        guardrails,
        deps.normalMax,
        input.alarmName === undefined ? undefined : { name: input.alarmName, state: alarmState },
      ),
    deps,
  );
};

export interface ScaleOutVerifyDeps {
  readonly fleet: FleetReader;
}

/**
 * Step `verify`: has the new capacity come into service? Recovered when at least the planned
 * desired capacity serves (InService, Healthy, and healthy in the target group). When pressure
 * fell meanwhile and target tracking scaled in, the group's current desired capacity suffices.
 */
export const verifyScaleOut = async (
  event: ScaleOutVerifyEvent,
  deps: ScaleOutVerifyDeps,
): Promise<ScaleOutVerifyResult> => {
  const plan = event.input.guardrail.plan;
  const fleet = await deps.fleet.snapshot();
  const serving = servingInstanceIds(fleet).length;
  const needed = Math.max(1, Math.min(plan.newDesired, fleet.desiredCapacity));
  const recovered = serving >= needed;
  const capacity = `${serving} of ${needed} needed instances serve in ${plan.groupName} (InService, Healthy and healthy in the target group; max raised ${plan.previousMax}→${plan.newMax}, desired now ${fleet.desiredCapacity})`;
  return { recovered, detail: capacity, serving, needed };
};

/** What the return looks at, besides the group: the pressure alarm and the active shifts. */
export interface ReturnFacts {
  readonly alarm?: { readonly name: string; readonly state: string | undefined };
  /** Every active zonal shift of the account and Region. */
  readonly shifts: readonly ActiveShift[];
}

/**
 * Whether the raised maximum may return, and to what. Lowering the maximum below desired
 * capacity lowers desired with it (UpdateAutoScalingGroup), cutting capacity under load: the
 * maximum returns only once the pressure has cleared (the alarm OK, target tracking below the
 * maximum), to max(normal maximum, desired capacity), never while a zonal shift is active (an
 * AZ evacuation raises the maximum for the two other AZs), and never when someone else changed
 * the maximum since this run raised it (an AZ evacuation, a person): it is theirs then.
 */
export const decideReturn = (
  plan: ScaleOutPlan,
  group: GroupCapacity,
  facts: ReturnFacts,
): ReturnDecision => {
  const { groupName, maxSize: max, desiredCapacity: desired } = group;
  if (max !== plan.newMax) {
    return {
      action: 'leave',
      detail: `${groupName}'s maximum is ${max} now, not the ${plan.newMax} this run set: someone else (an AZ evacuation, a person) changed it, so it is left as it is`,
    };
  }
  const [shift] = facts.shifts;
  if (shift !== undefined) {
    return {
      action: 'hold',
      detail: `zonal shift ${shift.ZonalShiftId} away from ${shift.AwayFrom} is active (an AZ evacuation): the raised maximum ${max} stays while it lasts`,
    };
  }
  const { alarm } = facts;
  if (alarm?.state !== undefined && alarm.state !== 'OK') {
    return {
      action: 'hold',
      detail: `the pressure lasts: alarm ${alarm.name} is ${alarm.state}; the maximum stays at ${max}`,
    };
  }
  if (desired >= max) {
    return {
      action: 'hold',
      detail: `the pressure lasts: target tracking still uses the raised maximum (desired ${desired} of max ${max})`,
    };
  }
  const maxSize = Math.max(plan.normalMax, desired);
  if (maxSize >= max) {
    return {
      action: 'leave',
      detail: `the pressure has cleared and desired capacity ${desired} needs the maximum ${max}: nothing to return`,
    };
  }
  return {
    action: 'return',
    maxSize,
    detail: `the pressure has cleared (desired ${desired} of max ${max}${alarm === undefined ? '' : `, alarm ${alarm.name} OK`}): max ${max}→${maxSize}, the larger of the normal maximum ${plan.normalMax} and desired ${desired}`,
  };
};

/** Step `return`: reads the group and decides with {@link decideReturn}. */
export const returnScaleOut = async (
  event: ScaleOutReturnEvent,
  group: GroupCapacityReader,
): Promise<ReturnDecision> => {
  const { input } = event;
  return decideReturn(input.guardrail.plan, await group.capacity(), {
    shifts: input.shifts.active,
    ...(input.alarmName === undefined
      ? {}
      : { alarm: { name: input.alarmName, state: input.alarmNow?.stateValues[0] } }),
  });
};
