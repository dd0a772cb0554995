import type { Guardrails } from './guardrails.js';
import type { ResourceType, SignalKind } from './signal.js';

/**
 * The runbook catalog as data: one row per runbook, and the contract every runbook keeps with
 * triage, the alerts and the CLI (its verdicts, outcomes and what may block it). Triage picks
 * runbooks from it, CDK builds a state machine per row, `npm run runbook` and the README
 * document each. Pure data: Lambda bundles import it; it imports nothing but types.
 */

/** The verdict of a run's check (`$.guardrail.verdict`), which the state machine branches on. */
export const CHECK_VERDICTS = ['act', 'approve', 'follow', 'dry-run', 'skip', 'refused'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

/** How a run ends, as the report Lambda records and announces it. */
export const RUNBOOK_OUTCOMES = ['succeeded', 'failed', 'dry-run', 'skipped', 'refused'] as const;
export type RunbookOutcome = (typeof RUNBOOK_OUTCOMES)[number];

/** Which guardrail stopped a run (`refused`) or a start, for the timeline and the alert. */
export const BLOCKED_BY = [
  'mode-off',
  'runbook-disabled',
  /** replace-unhealthy-instance: the min-healthy-instances floor. */
  'floor',
  /** The runbook's hourly budget (its registry row names the guardrail that sizes it). */
  'budget',
  'cooldown',
  /** scale-out and az-evacuation: the max-scale-out-capacity guardrail. */
  'ceiling',
  /** scale-out: a scale-out-step of 0. */
  'scale-out-step',
] as const;
export type BlockedBy = (typeof BLOCKED_BY)[number];

/** One field of a runbook's execution input, as its ValidateInput state and the docs see it. */
export interface RunbookInputField {
  readonly name: string;
  readonly required: boolean;
  /** What it is, for the docs and `npm run runbook`. */
  readonly meaning: string;
}

/** Which hourly budget (ledger bucket and the guardrail that sizes it) a run consumes. */
export interface RunbookBudget {
  /** Ledger bucket, e.g. `instance-replacement`. */
  readonly bucket: string;
  /** The guardrail holding the bucket's size per rolling hour. */
  readonly perHour: 'maxInstanceReplacementsPerHour' | 'maxActionsPerHour';
}

export interface RunbookDefinition {
  /** State machine `rebound-<stage>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** Signal kinds (in phase `problem`) this runbook recovers. */
  readonly handles: readonly SignalKind[];
  /**
   * Waits for a person before its destructive step, unless the `auto-approved-runbooks`
   * guardrail names it. Runbooks that only follow AWS's own recovery never ask.
   */
  readonly needsApproval: boolean;
  /** The input field naming the resource the runbook acts on (part of the execution name). */
  readonly targetField: string;
  /** What kind of resource that is, for incidents and alerts. */
  readonly targetType: ResourceType;
  readonly input: readonly RunbookInputField[];
  /** Ledger budget a mutating run consumes. */
  readonly budget?: RunbookBudget;
}

const incidentId: RunbookInputField = {
  name: 'incidentId',
  required: false,
  meaning:
    'The incident this run reports to. Leave it out on a manual run: the runbook joins the open incident for the target or records a new one.',
};
const reason: RunbookInputField = {
  name: 'reason',
  required: false,
  meaning:
    'Free text for the incident and the alert ("why I am doing this"), at most 500 characters.',
};
const alarmName: RunbookInputField = {
  name: 'alarmName',
  required: false,
  meaning: "The alarm that fired (one of the shop's, `rebound-<stage>-…`).",
};

export const RUNBOOKS = [
  {
    name: 'replace-unhealthy-instance',
    description:
      'Marks one unhealthy web instance Unhealthy in its Auto Scaling group and waits until the replacement is InService and healthy in the target group.',
    handles: ['instance-health'],
    needsApproval: false,
    targetField: 'instanceId',
    targetType: 'ec2-instance',
    input: [
      {
        name: 'instanceId',
        required: true,
        meaning: "The EC2 instance to replace; it must belong to the shop's web group.",
      },
      incidentId,
      {
        ...alarmName,
        meaning: `${alarmName.meaning} If it is OK again when the run starts, nothing is done.`,
      },
      reason,
    ],
    budget: { bucket: 'instance-replacement', perHour: 'maxInstanceReplacementsPerHour' },
  },
  {
    name: 'scale-out',
    description:
      "Raises the web group's maximum and desired capacity by a bounded step when it is stuck at its maximum under pressure, waits for the pressure alarm to clear, and schedules the return to the normal maximum.",
    handles: ['capacity-pressure'],
    needsApproval: false,
    targetField: 'autoScalingGroupName',
    targetType: 'auto-scaling-group',
    input: [
      {
        name: 'autoScalingGroupName',
        required: true,
        meaning: "The shop's web group (`rebound-<stage>-web`).",
      },
      incidentId,
      {
        ...alarmName,
        meaning: `${alarmName.meaning} The pressure alarm whose return to OK ends the run; without it the run ends when the new instances serve.`,
      },
      reason,
    ],
    budget: { bucket: 'scale-out', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'rds-failover',
    description:
      'Follows a Multi-AZ failover RDS started until the new primary is available with Multi-AZ restored and replicas caught up; with approval, forces a failover (RebootDBInstance with ForceFailover) or promotes a read replica.',
    handles: ['database-failover', 'database-degraded'],
    needsApproval: true,
    targetField: 'dbInstanceId',
    targetType: 'db-instance',
    input: [
      {
        name: 'dbInstanceId',
        required: true,
        meaning:
          "The shop's primary DB instance (for `promote-replica`: the primary being replaced).",
      },
      {
        name: 'mode',
        required: true,
        meaning:
          '`follow` (verify a failover RDS started; changes nothing), `force` (after approval, RebootDBInstance with ForceFailover, then verify) or `promote-replica` (after approval, promote `replicaId` to a standalone primary: the disaster path).',
      },
      {
        name: 'replicaId',
        required: false,
        meaning: 'With `promote-replica` only: the read replica to promote.',
      },
      incidentId,
      reason,
    ],
    budget: { bucket: 'database-failover', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'cache-failover',
    description:
      'Follows an ElastiCache primary failover until the replication group is available with a primary and its replicas in distinct AZs; with approval, starts one (TestFailover) when the primary fails and ElastiCache has not failed over.',
    handles: ['cache-failover', 'cache-degraded'],
    needsApproval: true,
    targetField: 'replicationGroupId',
    targetType: 'cache-replication-group',
    input: [
      {
        name: 'replicationGroupId',
        required: true,
        meaning: "The shop's cache replication group (`rebound-<stage>-cache`).",
      },
      {
        name: 'mode',
        required: true,
        meaning:
          '`follow` (verify a failover ElastiCache performed; changes nothing) or `force` (after approval, TestFailover of the primary, then verify).',
      },
      incidentId,
      reason,
    ],
    budget: { bucket: 'cache-failover', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'az-evacuation',
    description:
      "Moves the load balancer's traffic away from one impaired AZ with an ARC zonal shift (with an expiry), raises desired capacity so the two other AZs carry the load, verifies, and ends the shift when the AZ recovers.",
    handles: ['az-impairment'],
    needsApproval: true,
    targetField: 'availabilityZone',
    targetType: 'availability-zone',
    input: [
      {
        name: 'availabilityZone',
        required: true,
        meaning: "The impaired AZ by name (`us-east-1a`), one of the shop's three.",
      },
      incidentId,
      reason,
    ],
    budget: { bucket: 'az-evacuation', perHour: 'maxActionsPerHour' },
  },
] as const satisfies readonly RunbookDefinition[];

export type RunbookName = (typeof RUNBOOKS)[number]['name'];
export const RUNBOOK_NAMES: readonly RunbookName[] = RUNBOOKS.map((runbook) => runbook.name);

/** The registry row of `name`, or undefined for a name that is not a runbook. */
export const runbookDefinition = (name: string): RunbookDefinition | undefined =>
  RUNBOOKS.find((runbook) => runbook.name === name);

/** The guardrail a `blockedBy` names: for `budget`, the one that sizes `runbook`'s budget. */
export const guardrailBlocking = (
  blockedBy: BlockedBy,
  runbook: string | null,
): keyof Guardrails => {
  switch (blockedBy) {
    case 'mode-off':
      return 'mode';
    case 'runbook-disabled':
      return 'enabledRunbooks';
    case 'floor':
      return 'minHealthyInstances';
    case 'budget':
      return runbookDefinition(runbook ?? '')?.budget?.perHour ?? 'maxActionsPerHour';
    case 'cooldown':
      return 'cooldownMinutes';
    case 'ceiling':
      return 'maxScaleOutCapacity';
    case 'scale-out-step':
      return 'scaleOutStep';
  }
};

export const runbookStateMachineName = (namePrefix: string, runbook: string): string =>
  `${namePrefix}-${runbook}`;

/** Step Functions execution names: 1–80 characters of `[A-Za-z0-9-_]`. */
export const EXECUTION_NAME_MAX = 80;

/**
 * Execution name derived from the incident and the target, so starting the same runbook for
 * the same incident and target twice is a no-op (Standard workflows run once per name).
 */
export const runbookExecutionName = (incidentId: string, targetId: string): string =>
  `${incidentId}--${targetId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, EXECUTION_NAME_MAX);
