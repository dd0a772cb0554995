import type { Guardrails } from './guardrails.js';
import {
  AZ_NAME,
  alarmNameOf,
  isAutoshift,
  PRIMARY_FAILURE_PART,
  reasonOf,
  SELF_HEALER,
} from './policy-kit.js';
import type { ResourceType, Signal, SignalKind } from './signal.js';

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

/** Resources a deploy names, which some input fields must be one of. */
export const DEPLOYED_RESOURCES = [
  'web-group',
  'primary-db',
  'db-replica',
  'cache-group',
  'availability-zone',
] as const;
export type DeployedResource = (typeof DEPLOYED_RESOURCES)[number];

/** What one input field's value may be: the ValidateInput rules, the step's parse and the CLI all derive from it. */
export type RunbookInputValue =
  /** An EC2 instance id, `i-` and 8 or 17 hex digits. */
  | { readonly kind: 'instance-id' }
  /** One of the deployed resources of that kind (names known at deploy time). */
  | { readonly kind: 'deployed'; readonly resource: DeployedResource }
  | { readonly kind: 'choice'; readonly values: readonly string[] }
  /** One of the shop's own alarms, `<namePrefix>-…`. */
  | { readonly kind: 'shop-alarm' }
  /** An incident id, `inc-…`. */
  | { readonly kind: 'incident-id' }
  | { readonly kind: 'text'; readonly maxLength: number };

/** One field of a runbook's execution input. */
export interface RunbookInputField {
  readonly name: string;
  /**
   * Whether the field must be given. `{ when, equals }`: required when field `when` is
   * `equals`, and refused otherwise. `{ unless }`: required when field `unless` is not given,
   * and refused when it is (exactly one of the two).
   */
  readonly required:
    | boolean
    | { readonly when: string; readonly equals: string }
    | { readonly unless: string };
  readonly value: RunbookInputValue;
  /** What it is, for the docs and `npm run runbook`. */
  readonly meaning: string;
}

/** Whether `field` must be given in `input`: required, or its condition holds there. */
export const isWantedIn = (
  field: RunbookInputField,
  input: Readonly<Record<string, unknown>>,
): boolean => {
  const { required } = field;
  if (typeof required === 'boolean') return required;
  return 'unless' in required
    ? input[required.unless] === undefined
    : input[required.when] === required.equals;
};

/** A field's condition in words: `with mode promote-replica`, `unless autoScalingGroupName is given`. */
export const requirementCondition = (
  required: Exclude<RunbookInputField['required'], boolean>,
): string =>
  'unless' in required
    ? `unless ${required.unless} is given`
    : `with ${required.when} ${required.equals}`;

/** Which hourly budget (ledger bucket and the guardrail that sizes it) a run consumes. */
export interface RunbookBudget {
  /** Ledger bucket, e.g. `instance-replacement`. */
  readonly bucket: string;
  /** The guardrail holding the bucket's size per rolling hour. */
  readonly perHour: 'maxInstanceReplacementsPerHour' | 'maxActionsPerHour';
}

/** What starting a runbook for a signal looks like: its target, its input, why. */
export interface RunbookStart {
  /** Whom the runbook acts on: part of the execution name, so one run per target. */
  readonly targetId: string;
  readonly input: Readonly<Record<string, string>>;
  readonly reason: string;
}

/** A policy row that starts this runbook (policy.ts tries them in registry order). */
export interface RunbookTrigger {
  /** The row's name, in decisions and tests. */
  readonly name: string;
  readonly when: (signal: Signal) => boolean;
  readonly start: (signal: Signal) => RunbookStart;
}

export interface RunbookDefinition {
  /** State machine `rebound-<stage>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** Signal kinds (in phase `problem`) this runbook recovers. */
  readonly handles: readonly SignalKind[];
  /** The problem signals that start it. */
  readonly triggers: readonly RunbookTrigger[];
  /**
   * Waits for a person before its destructive step, unless the `auto-approved-runbooks`
   * guardrail names it. Runbooks that only follow AWS's own recovery never ask.
   */
  readonly needsApproval: boolean;
  /** The input field naming the resource the runbook acts on (part of the execution name). */
  readonly targetField: string;
  /** What kind of resource that is, for incidents and alerts. */
  readonly targetType: ResourceType;
  /** The execution input, in the order ValidateInput checks it. */
  readonly input: readonly RunbookInputField[];
  /** Ledger budget a mutating run consumes. */
  readonly budget?: RunbookBudget;
}

const incidentId = {
  name: 'incidentId',
  required: false,
  value: { kind: 'incident-id' },
  meaning:
    'The incident this run reports to. Leave it out on a manual run: the runbook joins the open incident for the target or records a new one.',
} as const satisfies RunbookInputField;
const reason = {
  name: 'reason',
  required: false,
  value: { kind: 'text', maxLength: 500 },
  meaning:
    'Free text for the incident and the alert ("why I am doing this"), at most 500 characters.',
} as const satisfies RunbookInputField;
/**
 * A run changes nothing when its input asks for a dry run. Otherwise it acts, whatever the
 * `mode` guardrail says, unless the mode is `off` (the kill switch): a person who starts a
 * runbook by hand gets what she asked for, within the budgets, cooldowns and approvals. Triage
 * asks for a dry run while the mode is `dry-run`.
 */
const dryRun = {
  name: 'dryRun',
  required: false,
  value: { kind: 'choice', values: ['true', 'false'] },
  meaning:
    '`"true"`: check and report what the run would do, and change nothing. Left out or `"false"`, the run acts unless the `mode` guardrail is `off` (a run started by hand acts in mode `dry-run` too); budgets, cooldowns and approvals still apply. Triage passes `"true"` while the mode is `dry-run`.',
} as const satisfies RunbookInputField;
const alarmName = (meaning: string) =>
  ({
    name: 'alarmName',
    required: false,
    value: { kind: 'shop-alarm' },
    meaning: `The alarm that fired (one of the shop's, \`rebound-<stage>-…\`). ${meaning}`,
  }) as const satisfies RunbookInputField;
/** `alarmName` when the signal came from an alarm. */
const alarmInput = (signal: Signal): Record<string, string> => {
  const alarm = alarmNameOf(signal);
  return alarm === undefined ? {} : { alarmName: alarm };
};

/** Part keys of a primary that failed: the explicit RDS events, or an AWS Health issue naming it. */
const FAILING_PRIMARY_PARTS = [`${PRIMARY_FAILURE_PART}:`, 'health:'];

/** Why replace-unhealthy-instance replaces this instance, true to what the signal says. */
const replacementReason = (signal: Signal): string => {
  const id = signal.resource.id;
  if (signal.partKey.startsWith('health:')) {
    return `AWS scheduled ${id} for retirement or maintenance: replace it with a fresh instance before AWS stops it.`;
  }
  if (signal.metric?.startsWith('StatusCheckFailed') === true) {
    return `${id} fails its EC2 status checks: replace it with a fresh instance now rather than wait for Auto Scaling's own health check.`;
  }
  if (signal.resource.type === 'auto-scaling-group') {
    return `The worst instance of ${id} stands out (memory, a leak) in a way the load balancer and Auto Scaling health checks do not see: find it by its metrics and replace it with a fresh instance.`;
  }
  return `${id} is unhealthy in a way the load balancer and Auto Scaling health checks do not see (memory, disk): replace it with a fresh instance.`;
};

export const RUNBOOKS = [
  {
    name: 'replace-unhealthy-instance',
    description:
      'Marks one unhealthy web instance Unhealthy in its Auto Scaling group and waits until the replacement is InService and healthy in the target group.',
    handles: ['instance-health'],
    triggers: [
      {
        name: 'gray-failure-of-one-instance',
        when: (signal) =>
          signal.kind === 'instance-health' &&
          signal.resource.type === 'ec2-instance' &&
          signal.selfHealing === undefined,
        start: (signal) => ({
          targetId: signal.resource.id,
          input: {
            instanceId: signal.resource.id,
            reason: reasonOf(signal),
            ...alarmInput(signal),
          },
          reason: replacementReason(signal),
        }),
      },
      {
        // The alarm on the group's worst instance (web-memory-outlier) names only the group:
        // the runbook finds the instance from the metrics (it samples them for 2 minutes,
        // longer than triage may take over one event).
        name: 'gray-failure-of-the-worst-instance',
        when: (signal) =>
          signal.kind === 'instance-health' &&
          signal.resource.type === 'auto-scaling-group' &&
          signal.selfHealing === undefined &&
          alarmNameOf(signal) !== undefined,
        start: (signal) => ({
          targetId: signal.resource.id,
          input: {
            autoScalingGroupName: signal.resource.id,
            reason: reasonOf(signal),
            ...alarmInput(signal),
          },
          reason: replacementReason(signal),
        }),
      },
    ],
    needsApproval: false,
    targetField: 'instanceId',
    targetType: 'ec2-instance',
    input: [
      {
        name: 'autoScalingGroupName',
        required: false,
        value: { kind: 'deployed', resource: 'web-group' },
        meaning:
          "Instead of `instanceId`: the shop's web group (`rebound-<stage>-web`). The run samples its instances' memory for 2 minutes (the CloudWatch agent's `mem_used_percent` per instance), replaces the one using the most, and ends `skipped` when no instance reports it.",
      },
      {
        name: 'instanceId',
        required: { unless: 'autoScalingGroupName' },
        value: { kind: 'instance-id' },
        meaning: "The EC2 instance to replace; it must belong to the shop's web group.",
      },
      incidentId,
      alarmName('If it is OK again when the run starts, nothing is done.'),
      reason,
      dryRun,
    ],
    budget: { bucket: 'instance-replacement', perHour: 'maxInstanceReplacementsPerHour' },
  },
  {
    name: 'scale-out',
    description:
      "Raises the web group's maximum and desired capacity by a bounded step when it is stuck at its maximum under pressure, waits for the pressure alarm to clear, and schedules the return to the normal maximum.",
    handles: ['capacity-pressure'],
    triggers: [
      {
        // Target tracking adds capacity by itself until the group's maximum; the runbook checks
        // whether the group is at its maximum and skips when target tracking still has room.
        name: 'pressure-at-maximum-capacity',
        when: (signal) =>
          signal.kind === 'capacity-pressure' && signal.resource.type === 'auto-scaling-group',
        start: (signal) => ({
          targetId: signal.resource.id,
          input: {
            autoScalingGroupName: signal.resource.id,
            reason: reasonOf(signal),
            ...alarmInput(signal),
          },
          reason: `Sustained pressure on ${signal.resource.id}: if target tracking is stuck at the group's maximum, raise it by a bounded step until the pressure clears.`,
        }),
      },
    ],
    needsApproval: false,
    targetField: 'autoScalingGroupName',
    targetType: 'auto-scaling-group',
    input: [
      {
        name: 'autoScalingGroupName',
        required: true,
        value: { kind: 'deployed', resource: 'web-group' },
        meaning: "The shop's web group (`rebound-<stage>-web`).",
      },
      incidentId,
      alarmName(
        'The pressure alarm whose return to OK ends the run; without it the run ends when the new instances serve.',
      ),
      reason,
      dryRun,
    ],
    budget: { bucket: 'scale-out', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'rds-failover',
    description:
      'Follows a Multi-AZ failover RDS started until the new primary is available with Multi-AZ restored and replicas caught up; with approval, forces a failover (RebootDBInstance with ForceFailover) or promotes a read replica.',
    handles: ['database-failover', 'database-degraded'],
    triggers: [
      {
        // RDS fails over by itself: follow it and verify the recovery completed (close the loop),
        // from its start or, when the start event never came, from its completion.
        name: 'follow-database-failover',
        when: (signal) =>
          signal.kind === 'database-failover' &&
          signal.dbRole === 'primary' &&
          (signal.selfHealing !== undefined || signal.phase === 'recovered'),
        start: (signal) => ({
          targetId: signal.resource.id,
          input: { dbInstanceId: signal.resource.id, mode: 'follow', reason: reasonOf(signal) },
          reason: `${SELF_HEALER.rds}; Rebound follows it until the new primary serves with Multi-AZ restored and replicas caught up, and escalates if it does not.`,
        }),
      },
      {
        name: 'primary-database-failing',
        when: (signal) =>
          signal.kind === 'database-degraded' &&
          signal.dbRole === 'primary' &&
          signal.selfHealing === undefined &&
          FAILING_PRIMARY_PARTS.some((prefix) => signal.partKey.startsWith(prefix)),
        start: (signal) => ({
          // Its own target: a forced failover is a different run from following one.
          targetId: `${signal.resource.id}-force`,
          input: { dbInstanceId: signal.resource.id, mode: 'force', reason: reasonOf(signal) },
          reason: `${signal.resource.id} is failing and RDS has not failed over: a forced Multi-AZ failover (RebootDBInstance with ForceFailover) after a person approves. The runbook skips it for a Single-AZ or an already recovering instance.`,
        }),
      },
    ],
    needsApproval: true,
    targetField: 'dbInstanceId',
    targetType: 'db-instance',
    input: [
      {
        name: 'dbInstanceId',
        required: true,
        value: { kind: 'deployed', resource: 'primary-db' },
        meaning:
          "The shop's primary DB instance (for `promote-replica`: the primary being replaced).",
      },
      {
        name: 'mode',
        required: true,
        value: { kind: 'choice', values: ['follow', 'force', 'promote-replica'] },
        meaning:
          '`follow` (verify a failover RDS started; changes nothing), `force` (after approval, RebootDBInstance with ForceFailover, then verify) or `promote-replica` (after approval, promote `replicaId` to a standalone primary: the disaster path).',
      },
      {
        name: 'replicaId',
        required: { when: 'mode', equals: 'promote-replica' },
        value: { kind: 'deployed', resource: 'db-replica' },
        meaning: 'With `promote-replica` only: the read replica to promote.',
      },
      incidentId,
      reason,
      dryRun,
    ],
    budget: { bucket: 'database-failover', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'cache-failover',
    description:
      'Follows an ElastiCache primary failover until the replication group is available with a primary and its replicas in distinct AZs; with approval, starts one (TestFailover) when the primary fails and ElastiCache has not failed over.',
    handles: ['cache-failover', 'cache-degraded'],
    triggers: [
      {
        // ElastiCache has already promoted a replica: verify the group serves as configured.
        name: 'follow-cache-failover',
        when: (signal) =>
          signal.kind === 'cache-failover' && signal.resource.type === 'cache-replication-group',
        start: (signal) => ({
          targetId: signal.resource.id,
          input: {
            replicationGroupId: signal.resource.id,
            mode: 'follow',
            reason: reasonOf(signal),
          },
          reason: `${SELF_HEALER.elasticache}; Rebound verifies the group is available with a primary and its replicas in distinct AZs, and escalates if it is not.`,
        }),
      },
      {
        name: 'cache-primary-failing',
        when: (signal) =>
          signal.kind === 'cache-degraded' &&
          signal.resource.type === 'cache-replication-group' &&
          signal.selfHealing === undefined &&
          signal.partKey.startsWith('health:'),
        start: (signal) => {
          // The node AWS Health named, if any: the runbook forces only when it is the primary.
          const node = signal.related.find(({ type }) => type === 'cache-node');
          return {
            targetId: `${signal.resource.id}-force`,
            input: {
              replicationGroupId: signal.resource.id,
              mode: 'force',
              ...(node === undefined ? {} : { nodeId: node.id }),
              reason: reasonOf(signal),
            },
            reason: `AWS reports trouble with ${node?.id ?? signal.resource.id} and ElastiCache has not failed over: a failover to a replica (TestFailover) after a person approves, if the failing node is the primary.`,
          };
        },
      },
    ],
    needsApproval: true,
    targetField: 'replicationGroupId',
    targetType: 'cache-replication-group',
    input: [
      {
        name: 'replicationGroupId',
        required: true,
        value: { kind: 'deployed', resource: 'cache-group' },
        meaning: "The shop's cache replication group (`rebound-<stage>-cache`).",
      },
      {
        name: 'mode',
        required: true,
        value: { kind: 'choice', values: ['follow', 'force'] },
        meaning:
          '`follow` (verify a failover ElastiCache performed; changes nothing) or `force` (after approval, TestFailover of the primary, then verify).',
      },
      {
        name: 'nodeId',
        required: false,
        value: { kind: 'text', maxLength: 64 },
        meaning:
          'The failing cache node AWS Health named (`rebound-<stage>-cache-002`). With `force`, the failover happens only while that node is the primary; a failing replica is left to ElastiCache, which replaces it by itself.',
      },
      incidentId,
      reason,
      dryRun,
    ],
    budget: { bucket: 'cache-failover', perHour: 'maxActionsPerHour' },
  },
  {
    name: 'az-evacuation',
    description:
      "Moves the load balancer's traffic away from one impaired AZ with an ARC zonal shift (with an expiry), raises desired capacity so the two other AZs carry the load, verifies, and ends the shift when the AZ recovers.",
    handles: ['az-impairment'],
    triggers: [
      {
        name: 'az-impairment',
        // Not on an autoshift notification: AWS is already shifting (policy.ts, az-autoshift).
        when: (signal) =>
          signal.kind === 'az-impairment' &&
          !isAutoshift(signal) &&
          AZ_NAME.test(signal.availabilityZone ?? ''),
        start: (signal) => {
          const az = signal.availabilityZone ?? '';
          return {
            targetId: az,
            input: { availabilityZone: az, reason: reasonOf(signal) },
            reason: `AWS reports an impairment in ${az}: shift the load balancer's traffic away from it (ARC zonal shift) and let the two other AZs carry the load, after a person approves unless the guardrails auto-approve it.`,
          };
        },
      },
    ],
    needsApproval: true,
    targetField: 'availabilityZone',
    targetType: 'availability-zone',
    input: [
      {
        name: 'availabilityZone',
        required: true,
        value: { kind: 'deployed', resource: 'availability-zone' },
        meaning: "The impaired AZ by name (`us-east-1a`), one of the shop's three.",
      },
      incidentId,
      reason,
      dryRun,
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
