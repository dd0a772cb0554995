import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Guardrails } from '../../functions/lib/core/guardrails.js';
import type { Clock } from '../../functions/lib/core/ports.js';
import type { RunbookName } from '../../functions/lib/core/runbook-registry.js';
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
import { type ScaleOutPlan, ScaleOutPlanSchema, type ScaleOutVerifyResult } from './state.js';

export type { ScaleOutPlan, ScaleOutVerifyResult };

/**
 * Runbook `scale-out`: the web group is stuck at its maximum under CPU/memory pressure. Raise
 * the maximum and desired capacity by the `scale-out-step` guardrail (never above
 * `max-scale-out-capacity`), wait until the new instances serve, and hand back the time and
 * name of the schedule that returns the group to its normal maximum.
 */

export const SCALE_OUT_RUNBOOK = 'scale-out' satisfies RunbookName;
/** The return to the normal maximum is scheduled this long after the new capacity serves. */
export const RETURN_DELAY_MINUTES = 60;
/** EventBridge Scheduler schedule names: 1–64 characters. */
export const SCHEDULE_NAME_MAX = 64;
/** Hex characters of the execution name's hash in the return schedule's name. */
const SCHEDULE_HASH_LENGTH = 16;
/** The return schedule names' common start; the state machine may create schedules named so. */
export const returnSchedulePrefix = (namePrefix: string): string =>
  `${namePrefix}-scale-out-return-`;
/** The longest `namePrefix` whose return schedule names fit in {@link SCHEDULE_NAME_MAX}. */
export const MAX_NAME_PREFIX_LENGTH =
  SCHEDULE_NAME_MAX - SCHEDULE_HASH_LENGTH - returnSchedulePrefix('').length;

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
]);
export type ScaleOutEvent = z.infer<typeof ScaleOutEventSchema>;
export type ScaleOutCheckEvent = Extract<ScaleOutEvent, { step: 'check' }>;
export type ScaleOutVerifyEvent = Extract<ScaleOutEvent, { step: 'verify' }>;

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

/** `at()` time of EventBridge Scheduler (`yyyy-mm-ddThh:mm:ss`, UTC), `minutes` after `now`. */
export const scheduleTimeAfter = (now: Date, minutes: number): string =>
  new Date(now.getTime() + minutes * 60_000).toISOString().slice(0, 19);

/**
 * The return schedule's name: the same for every attempt of one execution, so a retried
 * CreateSchedule meets its own schedule (ConflictException) instead of making a second one.
 */
export const returnScheduleName = (namePrefix: string, executionName: string): string => {
  const hash = createHash('sha256').update(executionName).digest('hex');
  return `${returnSchedulePrefix(namePrefix)}${hash.slice(0, SCHEDULE_HASH_LENGTH)}`;
};

export interface ScaleOutVerifyDeps {
  readonly fleet: FleetReader;
  readonly clock: Clock;
  readonly namePrefix: string;
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
  if (!recovered) return { recovered, detail: capacity, serving, needed };
  return {
    recovered,
    detail: capacity,
    serving,
    needed,
    returnAt: scheduleTimeAfter(deps.clock.now(), RETURN_DELAY_MINUTES),
    returnScheduleName: returnScheduleName(deps.namePrefix, event.execution.name),
  };
};
