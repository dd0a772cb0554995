import * as z from 'zod/mini';
import type { Guardrails } from '../../functions/lib/core/guardrails.js';
import type { IncidentStore } from '../../functions/lib/core/ports.js';
import type { RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { nonEmptyText } from '../../functions/lib/events/schema-kit.js';
import {
  type ActiveShift,
  ActiveShiftsSchema,
  azStillImpaired,
  zoneIdOf,
} from '../../functions/lib/runbook/az-impairment.js';
import {
  type Assessment,
  type CheckDeps,
  type CheckResult,
  checkRunbook,
} from '../../functions/lib/runbook/check.js';
import { ExecutionSchema, parseTaskPayload } from '../../functions/lib/runbook/events.js';
import {
  servingInstanceIds,
  type ZonalFleetReader,
  type ZonalFleetSnapshot,
} from '../../functions/lib/runbook/fleet.js';
import { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import { type RecheckResult, recheckAfterApproval } from '../../functions/lib/runbook/recheck.js';
import { inputShapeOf, requireDeployed } from '../../functions/lib/runbook/run-input.js';
import { type AzEvacuationPlan, CONFIRM_KEY, SHIFT_KEY, SHIFTS_KEY } from './state.js';

/**
 * Runbook `az-evacuation`: after approval, an ARC zonal shift moves the load balancer's traffic
 * away from one impaired AZ and the web group grows so the two other AZs carry the load; the
 * run waits until they do, then until the AZ recovers, and ends the shift. This module is the
 * Lambda's logic (steps `check`, `verify`, `az-recovered`) over small ports; the AWS adapter
 * is aws-fleet-reader.ts. The state machine makes the mutating calls.
 */

export const AZ_EVACUATION_RUNBOOK = 'az-evacuation' satisfies RunbookName;
/** How long the zonal shift lasts unless the run ends it first (ARC allows up to 72 h at start). */
export const SHIFT_EXPIRES_IN = '6h';
/** Three AZs' worth of capacity on two: desired × 3/2, rounded up. */
export const twoZoneCapacity = (desired: number): number => Math.ceil((desired * 3) / 2);

/** What the runbook is configured with (the Lambda's environment). */
export interface AzEvacuationConfig {
  /** The shop's load balancer: the zonal shift's resource identifier. */
  readonly loadBalancerArn: string;
  /** The shop's AZ names: the only ones the runbook evacuates. */
  readonly availabilityZones: readonly string[];
}

export interface AzEvacuationCheckDeps extends CheckDeps {
  readonly fleet: ZonalFleetReader;
  /** The account's AZ IDs to AZ names (DescribeAvailabilityZones; `{}` when unreadable). */
  readonly zoneNames: () => Promise<Readonly<Record<string, string>>>;
  readonly config: AzEvacuationConfig;
}

/** Payload of the Check state: `{ step: 'check', input: $, execution: $$.Execution }`. */
const CheckEventSchema = z.object({
  step: z.literal('check'),
  input: z.object({
    ...inputShapeOf('az-evacuation'),
    /** The ListShifts state's answer: the load balancer's ACTIVE zonal shifts. */
    [SHIFTS_KEY]: ActiveShiftsSchema,
  }),
  execution: ExecutionSchema,
});

const PlanSchema = z.object({
  awayFrom: nonEmptyText(20),
  previousDesired: z.number(),
  newDesired: z.number(),
});
const GuardrailSchema = z.object({
  incidentId: nonEmptyText(64),
  reason: z.optional(z.string()),
  plan: PlanSchema,
});

/** Payload of Recheck (after approval): the check's input and plan, the shifts read again. */
const RecheckEventSchema = z.object({
  step: z.literal('recheck'),
  input: z.object({
    ...CheckEventSchema.shape.input.shape,
    guardrail: GuardrailSchema,
  }),
  execution: ExecutionSchema,
});

/** Payload of EvacuationVerify: the whole state, with the check's plan. */
const VerifyEventSchema = z.object({
  step: z.literal('verify'),
  input: z.object({ availabilityZone: nonEmptyText(32), guardrail: GuardrailSchema }),
  execution: ExecutionSchema,
});

/** Payload of AzRecoveryVerify: the whole state, with the started shift's id. */
const AzRecoveredEventSchema = z.object({
  step: z.literal('az-recovered'),
  input: z.object({
    availabilityZone: nonEmptyText(32),
    guardrail: GuardrailSchema,
    [SHIFT_KEY]: z.object({ ZonalShiftId: nonEmptyText(36) }),
    /** The recovery loop's position (kit verify loop): which check this is. */
    poll: z.optional(z.object({ attempt: z.number() })),
  }),
  execution: ExecutionSchema,
});

/** Payload of ShiftApplied: the started shift and the load balancer's shifts (GetManagedResource). */
const ShiftAppliedEventSchema = z.object({
  step: z.literal('shift-applied'),
  input: z.object({
    availabilityZone: nonEmptyText(32),
    [SHIFT_KEY]: z.object({ ZonalShiftId: nonEmptyText(36) }),
    [CONFIRM_KEY]: z.object({
      zonalShifts: z.array(
        z.object({ ZonalShiftId: nonEmptyText(36), AppliedStatus: nonEmptyText(20) }),
      ),
    }),
  }),
  execution: ExecutionSchema,
});

export const AzEvacuationEventSchema = z.discriminatedUnion('step', [
  CheckEventSchema,
  ShiftAppliedEventSchema,
  RecheckEventSchema,
  VerifyEventSchema,
  AzRecoveredEventSchema,
]);
export type AzEvacuationEvent = z.infer<typeof AzEvacuationEventSchema>;
export type AzEvacuationCheckEvent = z.infer<typeof CheckEventSchema>;
export type AzEvacuationRecheckEvent = z.infer<typeof RecheckEventSchema>;
export type AzEvacuationVerifyEvent = z.infer<typeof VerifyEventSchema>;
export type AzRecoveredEvent = z.infer<typeof AzRecoveredEventSchema>;
export type ShiftAppliedEvent = z.infer<typeof ShiftAppliedEventSchema>;

/**
 * Step `shift-applied`: does the load balancer apply the started shift? GetManagedResource lists
 * its shifts with `AppliedStatus` APPLIED or NOT_APPLIED: a fail-open load balancer (no healthy
 * targets in the other AZs) does not apply a shift.
 */
export const shiftApplied = (event: ShiftAppliedEvent): { readonly applied: boolean } => ({
  applied: event.input.confirm.zonalShifts.some(
    (shift) =>
      shift.ZonalShiftId === event.input.shift.ZonalShiftId && shift.AppliedStatus === 'APPLIED',
  ),
});

/** The Lambda's payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseAzEvacuationEvent = (event: unknown): AzEvacuationEvent =>
  parseTaskPayload(AzEvacuationEventSchema, event);

/** What the assessment looks at: the AZ, its ID, the shifts in force and the group. */
export interface EvacuationFacts {
  readonly availabilityZone: string;
  readonly zoneId: string;
  readonly loadBalancerArn: string;
  readonly activeShifts: readonly ActiveShift[];
  readonly fleet: ZonalFleetSnapshot;
}

/**
 * The runbook's own verdict: skip when the load balancer is already shifted away from the AZ,
 * refuse a second AZ (ARC allows one active shift per resource, and one AZ would be left) and
 * a size above the max-scale-out-capacity guardrail; otherwise shift and grow, after approval.
 */
export const assessAzEvacuation = (
  facts: EvacuationFacts,
  guardrails: Pick<Guardrails, 'maxScaleOutCapacity'>,
): Assessment => {
  const { availabilityZone: az, zoneId, fleet } = facts;
  const zone = `${az} (${zoneId})`;
  // A practice run (zonal autoshift's weekly rehearsal) is no evacuation: a zonal shift started
  // now cancels it, its outcome INTERRUPTED, and applies instead (ARC Developer Guide,
  // "Precedence for zonal shifts"). Taken for a real shift, it would skip the evacuation, and
  // traffic would return to the impaired AZ when the practice run ends.
  const shifts = facts.activeShifts.filter((shift) => shift.ShiftType !== 'PRACTICE_RUN');
  const same = shifts.find((shift) => shift.AwayFrom === zoneId);
  if (same !== undefined) {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `the load balancer is already shifted away from ${zone} (zonal shift ${same.ZonalShiftId}): nothing to do`,
    };
  }
  const [other] = shifts;
  if (other !== undefined) {
    return {
      type: 'stop',
      verdict: 'refused',
      reason: `the load balancer is already shifted away from ${other.AwayFrom} (zonal shift ${other.ZonalShiftId}): shifting away from ${zone} as well would leave one AZ; a person must decide`,
    };
  }
  const previousDesired = fleet.desiredCapacity;
  const newDesired = twoZoneCapacity(previousDesired);
  const ceiling = guardrails.maxScaleOutCapacity;
  if (newDesired > ceiling) {
    return {
      type: 'stop',
      verdict: 'refused',
      blockedBy: 'ceiling',
      reason: `two AZs need ${newDesired} instances to carry what three did (${previousDesired}), above the max-scale-out-capacity guardrail (${ceiling}): nothing is done`,
    };
  }
  if (fleet.groupArn === undefined) {
    // The model marks AutoScalingGroupARN optional; without it the group cannot be shifted.
    throw new Error(
      `DescribeAutoScalingGroups gave no AutoScalingGroupARN for ${fleet.groupName}: the group's zonal shift needs it`,
    );
  }
  const newMax = Math.max(fleet.maxSize, newDesired);
  const maximum = newMax > fleet.maxSize ? ` (maximum ${fleet.maxSize}→${newMax})` : '';
  return {
    type: 'mutate',
    action: `shift the load balancer's traffic and the web group away from ${zone} for up to ${SHIFT_EXPIRES_IN.replace('h', ' h')} and raise desired capacity ${previousDesired}→${newDesired}${maximum} so two AZs carry the load`,
    plan: {
      resourceIdentifier: facts.loadBalancerArn,
      groupArn: fleet.groupArn,
      awayFrom: zoneId,
      availabilityZone: az,
      expiresIn: SHIFT_EXPIRES_IN,
      previousDesired,
      previousMax: fleet.maxSize,
      newDesired,
      newMax,
    } satisfies AzEvacuationPlan,
    needsApproval: true,
  };
};

/** Step `check`: the guardrails and the assessment, as `$.guardrail`. */
export const checkAzEvacuation = async (
  event: AzEvacuationCheckEvent,
  deps: AzEvacuationCheckDeps,
): Promise<CheckResult> => {
  const { input, execution } = event;
  const zones = deps.config.availabilityZones;
  requireDeployed('az-evacuation', input, { 'availability-zone': zones });
  return checkRunbook(
    {
      runbook: AZ_EVACUATION_RUNBOOK,
      kind: 'az-impairment',
      target: { type: 'availability-zone', id: input.availabilityZone },
      execution,
      incidentId: input.incidentId,
      reason: input.reason,
      dryRun: input.dryRun === 'true',
    },
    async (guardrails) => {
      const [zoneNames, fleet] = await Promise.all([deps.zoneNames(), deps.fleet.snapshot()]);
      return assessAzEvacuation(
        {
          availabilityZone: input.availabilityZone,
          zoneId: zoneIdOf(zoneNames, input.availabilityZone),
          loadBalancerArn: deps.config.loadBalancerArn,
          activeShifts: input.shifts.active,
          fleet,
        },
        guardrails,
      );
    },
    deps,
  );
};

/**
 * Step `recheck`, after approval: the AZ's incident, the load balancer's shifts (RecheckShifts
 * read them again) and the group read again. The AZ may have recovered during the wait, or a
 * shift may exist now (a person's; ListZonalShifts lists no autoshift, and a practice run does
 * not count): then nothing is done.
 */
export const recheckAzEvacuation = (
  event: AzEvacuationRecheckEvent,
  deps: AzEvacuationCheckDeps,
): Promise<RecheckResult> => {
  const { input } = event;
  requireDeployed('az-evacuation', input, { 'availability-zone': deps.config.availabilityZones });
  const az = input.availabilityZone;
  return recheckAfterApproval(
    AZ_EVACUATION_RUNBOOK,
    input.guardrail.reason ?? `evacuate ${az}`,
    async (guardrails) => {
      const incident = await deps.incidents.get(input.guardrail.incidentId);
      if (incident !== undefined && !azStillImpaired(incident, az)) {
        return `${az} recovered while waiting (incident ${incident.id} is ${incident.status === 'resolved' ? 'resolved' : 'no longer holding it impaired'})`;
      }
      const [zoneNames, fleet] = await Promise.all([deps.zoneNames(), deps.fleet.snapshot()]);
      const live = assessAzEvacuation(
        {
          availabilityZone: az,
          zoneId: zoneIdOf(zoneNames, az),
          loadBalancerArn: deps.config.loadBalancerArn,
          activeShifts: input.shifts.active,
          fleet,
        },
        guardrails,
      );
      return live.type === 'stop' ? live.reason : undefined;
    },
    deps,
  );
};

/** What step `verify` answers (`$.verify`). */
export interface EvacuationVerification {
  readonly recovered: boolean;
  readonly detail: string;
  /** Instances serving outside the impaired AZ (InService, Healthy, healthy target). */
  readonly servingOutside: number;
  /** The group's desired capacity before the evacuation: what the two AZs must carry. */
  readonly needed: number;
  readonly servingByAz: Readonly<Record<string, number>>;
  readonly desiredCapacity: number;
}

/**
 * Evacuated: at least the pre-evacuation desired capacity serves outside the impaired AZ
 * (InService and Healthy for Auto Scaling and healthy in the target group).
 */
export const verifyEvacuation = (
  fleet: ZonalFleetSnapshot,
  impairedAz: string,
  needed: number,
): EvacuationVerification => {
  const serving = new Set(servingInstanceIds(fleet));
  const servingByAz: Record<string, number> = {};
  for (const instance of fleet.instances) {
    if (!serving.has(instance.instanceId) || instance.availabilityZone === impairedAz) continue;
    servingByAz[instance.availabilityZone] = (servingByAz[instance.availabilityZone] ?? 0) + 1;
  }
  const servingOutside = Object.values(servingByAz).reduce((sum, count) => sum + count, 0);
  const byAz =
    Object.entries(servingByAz)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([az, count]) => `${az}: ${count}`)
      .join(', ') || 'none';
  const recovered = servingOutside >= needed;
  return {
    recovered,
    detail: `${servingOutside} of the ${needed} instances needed serve outside ${impairedAz} (${byAz}; desired capacity ${fleet.desiredCapacity})${recovered ? ': the other AZs carry the load' : ''}.`,
    servingOutside,
    needed,
    servingByAz,
    desiredCapacity: fleet.desiredCapacity,
  };
};

/** Step `verify`: do the other AZs carry the load yet? */
export const checkEvacuation = async (
  event: AzEvacuationVerifyEvent,
  fleet: ZonalFleetReader,
): Promise<EvacuationVerification> =>
  verifyEvacuation(
    await fleet.snapshot(),
    event.input.availabilityZone,
    event.input.guardrail.plan.previousDesired,
  );

/** What step `az-recovered` answers (`$.verify`). */
export interface AzRecoveryVerification {
  readonly recovered: boolean;
  readonly detail: string;
  readonly incidentStatus: string;
  readonly zonalShiftId: string;
  /** Whether to extend both shifts now (hourly, while the AZ stays impaired). */
  readonly extendShifts: boolean;
}

/** AZ recovery checks between two extensions of the shifts: 12 × 5 min, hourly. */
export const CHECKS_PER_EXTENSION = 12;

/** Step `az-recovered`: has the AZ recovered, so the shift may end? */
export const checkAzRecovered = async (
  event: AzRecoveredEvent,
  incidents: Pick<IncidentStore, 'get'>,
): Promise<AzRecoveryVerification> => {
  const { availabilityZone: az, guardrail, shift } = event.input;
  const incident = await incidents.get(guardrail.incidentId);
  if (incident === undefined) throw new Error(`incident ${guardrail.incidentId} not found`);
  const zone = `${az} (${guardrail.plan.awayFrom})`;
  const id = shift.ZonalShiftId;
  const impaired = azStillImpaired(incident, az);
  const detail = !impaired
    ? `${zone} has recovered: ${incident.status === 'resolved' ? `incident ${incident.id} is resolved` : `AWS Health closed its event on incident ${incident.id}`}.`
    : `${zone} is still impaired according to incident ${incident.id} (${incident.status}): zonal shift ${id} and the group's keep traffic and launches away from it; Rebound extends both to ${SHIFT_EXPIRES_IN.replace('h', ' h')} from then every hour while the run lasts; to extend by hand: aws arc-zonal-shift update-zonal-shift --zonal-shift-id ${id} --expires-in ${SHIFT_EXPIRES_IN}`;
  // Extended hourly while AWS Health keeps the AZ impaired, so the shifts never expire mid-incident.
  const check = (event.input.poll?.attempt ?? 0) + 1;
  return {
    recovered: !impaired,
    detail,
    incidentStatus: incident.status,
    zonalShiftId: id,
    extendShifts: impaired && check % CHECKS_PER_EXTENSION === 0,
  };
};
