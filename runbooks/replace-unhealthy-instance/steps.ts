import * as z from 'zod/mini';
import { resourceScopeKey } from '../../functions/lib/core/correlate.js';
import type { IncidentStore } from '../../functions/lib/core/ports.js';
import type { BlockedBy, RunbookName } from '../../functions/lib/core/runbook-registry.js';
import {
  type ActiveShift,
  ActiveShiftsSchema,
  azStillImpaired,
  zoneIdOf,
} from '../../functions/lib/runbook/az-impairment.js';
import {
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
import {
  isLeaving,
  servingInstanceIds,
  type ZonalFleetReader,
  type ZonalFleetSnapshot,
} from '../../functions/lib/runbook/fleet.js';
import type { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import { inputShapeOf, requiredFieldSchema } from '../../functions/lib/runbook/run-input.js';
import { CHECKED_ALARM_KEY } from '../../functions/lib/runbook/state-paths.js';
import { SHIFTS_KEY } from './state.js';

export const REPLACE_INSTANCE_RUNBOOK = 'replace-unhealthy-instance' satisfies RunbookName;
/** Ledger budget a replacement consumes (see runbooks/registry.ts). */
export const INSTANCE_REPLACEMENT_BUDGET = 'instance-replacement';

export interface GuardrailCheckDeps extends CheckDeps {
  readonly fleet: ZonalFleetReader;
  /** The account's AZ IDs to AZ names (DescribeAvailabilityZones; `{}` when unreadable). */
  readonly zoneNames: () => Promise<Readonly<Record<string, string>>>;
}

type Stop = {
  readonly verdict: 'skip' | 'refused';
  readonly reason: string;
  readonly blockedBy?: BlockedBy;
};

/** `GuardrailCheck` payload: `{ input: $, execution: $$.Execution }`. */
export const GuardrailEventSchema = z.object({
  input: z.object({
    ...inputShapeOf('replace-unhealthy-instance'),
    /** Given, or found for `autoScalingGroupName` (FindWorstInstance) before the check runs. */
    instanceId: requiredFieldSchema('replace-unhealthy-instance', 'instanceId'),
    [CHECKED_ALARM_KEY]: z.optional(DescribedAlarmsSchema),
    /** The ListZonalShifts state's answer: every ACTIVE zonal shift of the account and Region. */
    [SHIFTS_KEY]: ActiveShiftsSchema,
  }),
  execution: ExecutionSchema,
});
export type GuardrailEvent = z.infer<typeof GuardrailEventSchema>;

/** The guardrail payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseGuardrailEvent = (event: unknown): GuardrailEvent =>
  parseTaskPayload(GuardrailEventSchema, event);

/** What the check knows of the instance's AZ: the shifts away from it, the incident impairing it. */
export interface ZoneEvents {
  /** Active zonal shifts away from the instance's AZ (any resource of the account). */
  readonly shiftsAway: readonly ActiveShift[];
  /** An open incident that holds the instance's AZ impaired (AWS Health, through triage). */
  readonly impairedBy?: string;
}

/**
 * The fleet-level checks, in order: the instance must still be in the group, its alarm (if
 * named) must still be firing, its AZ must have no active impairment or zonal shift (the
 * replacement could launch into that AZ; the group's AZ impairment policy leaves unhealthy
 * instances there alone too), and the group must keep `minHealthyInstances` serving without it.
 */
export const assessFleet = (
  input: GuardrailEvent['input'],
  fleet: ZonalFleetSnapshot,
  minHealthyInstances: number,
  zone: ZoneEvents = { shiftsAway: [] },
): Stop | undefined => {
  const { instanceId } = input;
  const instance = fleet.instances.find((candidate) => candidate.instanceId === instanceId);
  if (instance === undefined) {
    return { verdict: 'skip', reason: `${instanceId} is gone: it is not in ${fleet.groupName}` };
  }
  if (isLeaving(instance)) {
    return {
      verdict: 'skip',
      reason: `${instanceId} is gone: it is already leaving ${fleet.groupName} (${instance.lifecycleState})`,
    };
  }
  if (input.alarmName !== undefined && alarmStateOf(input.alarm) === 'OK') {
    return {
      verdict: 'skip',
      reason: `${instanceId} is already healthy: alarm ${input.alarmName} is OK again`,
    };
  }
  const [shift] = zone.shiftsAway;
  if (zone.impairedBy !== undefined || shift !== undefined) {
    const why =
      zone.impairedBy !== undefined
        ? `incident ${zone.impairedBy} holds ${instance.availabilityZone} impaired (AWS Health)`
        : `zonal shift ${shift?.ZonalShiftId} moves ${shift?.ResourceIdentifier ?? 'a resource'} away from ${instance.availabilityZone} (${shift?.AwayFrom})`;
    return {
      verdict: 'skip',
      reason: `${instanceId} runs in an AZ event: ${why}; a replacement could launch into that AZ, so ${instanceId} stays until the AZ recovers`,
    };
  }
  const others = servingInstanceIds(fleet).filter((id) => id !== instanceId);
  if (others.length < minHealthyInstances) {
    return {
      verdict: 'refused',
      blockedBy: 'floor',
      reason: `replacing ${instanceId} would leave ${others.length} healthy in-service instance(s) in ${fleet.groupName}, below the floor of ${minHealthyInstances} (min-healthy-instances)`,
    };
  }
  return undefined;
};

/**
 * The AZ events of `az`: the shifts away from its AZ ID (the ID looked up only when a shift is
 * active; an unknown mapping escalates rather than guessing), and an open incident of the AZ
 * that still holds it impaired.
 */
const zoneEvents = async (
  az: string,
  shifts: readonly ActiveShift[],
  deps: Pick<GuardrailCheckDeps, 'zoneNames'> & { readonly incidents: IncidentStore },
): Promise<ZoneEvents> => {
  const zoneId = shifts.length === 0 ? undefined : zoneIdOf(await deps.zoneNames(), az);
  const incidents = await deps.incidents.findActive([
    resourceScopeKey({ type: 'availability-zone', id: az }),
  ]);
  const impairedBy = incidents.find((incident) => azStillImpaired(incident, az))?.id;
  return {
    shiftsAway: shifts.filter((shift) => shift.AwayFrom === zoneId),
    ...(impairedBy === undefined ? {} : { impairedBy }),
  };
};

/**
 * Decides whether `replace-unhealthy-instance` may mark the instance Unhealthy now: the check
 * every runbook makes (check.ts: manual-run incident, kill switch, enablement, dry-run, the
 * instance-replacement budget and the instance's cooldown) over the fleet checks above.
 */
export const checkInstanceReplacement = async (
  event: GuardrailEvent,
  deps: GuardrailCheckDeps,
): Promise<CheckResult> => {
  const { input, execution } = event;
  return checkRunbook(
    {
      runbook: REPLACE_INSTANCE_RUNBOOK,
      kind: 'instance-health',
      target: { type: 'ec2-instance', id: input.instanceId },
      execution,
      incidentId: input.incidentId,
      reason: input.reason,
      dryRun: input.dryRun === 'true',
    },
    async (guardrails) => {
      const fleet = await deps.fleet.snapshot();
      const az = fleet.instances.find(
        ({ instanceId }) => instanceId === input.instanceId,
      )?.availabilityZone;
      const zone = az === undefined ? undefined : await zoneEvents(az, input.shifts.active, deps);
      const stop = assessFleet(input, fleet, guardrails.minHealthyInstances, zone);
      if (stop !== undefined) return { type: 'stop', ...stop };
      return {
        type: 'mutate',
        action: `mark ${input.instanceId} Unhealthy in ${fleet.groupName}: Auto Scaling replaces it`,
        plan: {},
        needsApproval: false,
      };
    },
    deps,
  );
};
