import type { RunbookName } from '../../../runbooks/registry.js';
import { transition } from '../core/incident.js';
import type { ActionRequest } from '../core/ports.js';
import type { CheckDeps } from './check.js';
import type { GuardrailEvent } from './events.js';
import { type FleetReader, type FleetSnapshot, isLeaving, servingInstanceIds } from './fleet.js';
import type { BlockedBy, GuardrailResult } from './outcome.js';
import { ensureRunbookIncident, updateIncident } from './runbook-incident.js';

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

/** The alarm's state from the CheckAlarm result, when the run named one and it exists. */
const alarmState = (input: GuardrailEvent['input']): string | undefined =>
  input.alarm?.MetricAlarms?.[0]?.StateValue ?? input.alarm?.CompositeAlarms?.[0]?.StateValue;

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
  if (input.alarmName !== undefined && alarmState(input) === 'OK') {
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
 * Decides whether `replace-unhealthy-instance` may mark the instance Unhealthy now. Records a
 * manual run as an incident first, so every run, whatever it decides, reports to one. Only an
 * `act` verdict claims the ledger (one budget slot and the instance's cooldown) and moves the
 * incident to `mitigating`; `dry-run` only peeks.
 */
export const checkInstanceReplacement = async (
  event: GuardrailEvent,
  deps: GuardrailCheckDeps,
): Promise<GuardrailResult> => {
  const { input, execution } = event;
  const incident = await ensureRunbookIncident(
    deps.incidents,
    {
      runbook: REPLACE_INSTANCE_RUNBOOK,
      kind: 'instance-health',
      target: { type: 'ec2-instance', id: input.instanceId },
      execution,
      incidentId: input.incidentId,
      reason: input.reason,
    },
    deps.clock,
  );
  const result = (
    verdict: GuardrailResult['verdict'],
    reason: string,
    extra: { desiredCapacity?: number; blockedBy?: BlockedBy } = {},
  ): GuardrailResult => ({
    verdict,
    reason,
    incidentId: incident.id,
    desiredCapacity: extra.desiredCapacity ?? null,
    ...(extra.blockedBy === undefined ? {} : { blockedBy: extra.blockedBy }),
  });

  const { guardrails, problems } = await deps.guardrails();
  if (problems.length > 0) deps.warn('guardrails fell back to safe values', { problems });
  if (guardrails.mode === 'off') {
    return result('refused', 'the automation mode guardrail is off: nothing is replaced', {
      blockedBy: 'mode-off',
    });
  }
  if (!guardrails.enabledRunbooks.includes(REPLACE_INSTANCE_RUNBOOK)) {
    return result(
      'refused',
      // Worded without the runbook's name: the alert picks its guardrail hint from this text.
      'this runbook is not in the enabled-runbooks guardrail: nothing is replaced',
      { blockedBy: 'runbook-disabled' },
    );
  }

  const fleet = await deps.fleet.snapshot();
  const desiredCapacity = fleet.desiredCapacity;
  const stop = assessFleet(input, fleet, guardrails.minHealthyInstances);
  if (stop !== undefined) {
    return result(stop.verdict, stop.reason, { desiredCapacity, blockedBy: stop.blockedBy });
  }

  const request: ActionRequest = {
    budget: INSTANCE_REPLACEMENT_BUDGET,
    maxPerHour: guardrails.maxInstanceReplacementsPerHour,
    resourceId: input.instanceId,
    cooldownMinutes: guardrails.cooldownMinutes,
  };
  const now = deps.clock.now();
  const target = `mark ${input.instanceId} Unhealthy in ${fleet.groupName}`;
  if (guardrails.mode === 'dry-run') {
    const peek = await deps.ledger.peek(request, now);
    const would = peek.allowed ? `would ${target}` : `would be refused: ${peek.reason}`;
    return result('dry-run', `dry-run: ${would}`, { desiredCapacity });
  }

  const claim = await deps.ledger.claim(request, now);
  if (!claim.allowed) {
    return result('refused', claim.reason, { desiredCapacity, blockedBy: claim.blockedBy });
  }
  const reason = `${target}: Auto Scaling replaces it`;
  await updateIncident(deps.incidents, incident.id, (current) =>
    current.status === 'open' ? transition(current, 'mitigating', reason, now) : current,
  );
  return result('act', reason, { desiredCapacity });
};
