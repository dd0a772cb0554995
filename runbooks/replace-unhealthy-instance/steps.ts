import * as z from 'zod/mini';
import type { BlockedBy, RunbookName } from '../../functions/lib/core/runbook-registry.js';
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
  type FleetReader,
  type FleetSnapshot,
  isLeaving,
  servingInstanceIds,
} from '../../functions/lib/runbook/fleet.js';
import type { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import { inputShapeOf } from '../../functions/lib/runbook/run-input.js';
import { CHECKED_ALARM_KEY } from '../../functions/lib/runbook/state-paths.js';

export const REPLACE_INSTANCE_RUNBOOK = 'replace-unhealthy-instance' satisfies RunbookName;
/** Ledger budget a replacement consumes (see runbooks/registry.ts). */
export const INSTANCE_REPLACEMENT_BUDGET = 'instance-replacement';

export interface GuardrailCheckDeps extends CheckDeps {
  readonly fleet: FleetReader;
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
    [CHECKED_ALARM_KEY]: z.optional(DescribedAlarmsSchema),
  }),
  execution: ExecutionSchema,
});
export type GuardrailEvent = z.infer<typeof GuardrailEventSchema>;

/** The guardrail payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseGuardrailEvent = (event: unknown): GuardrailEvent =>
  parseTaskPayload(GuardrailEventSchema, event);

/**
 * The fleet-level checks, in order: the instance must still be in the group, its alarm (if
 * named) must still be firing, and the group must keep `minHealthyInstances` serving without it.
 */
export const assessFleet = (
  input: GuardrailEvent['input'],
  fleet: FleetSnapshot,
  minHealthyInstances: number,
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
      const stop = assessFleet(input, fleet, guardrails.minHealthyInstances);
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
