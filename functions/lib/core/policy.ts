import type { RunbookName } from './runbook-registry.js';
import type { Signal, SignalKind } from './signal.js';

/**
 * The policy table: what Rebound does about a problem signal, before guardrails and history.
 * Rows are tried in order; the first whose `when` holds decides. Don't fight AWS: where AWS
 * heals by itself, the answer is to notify and verify, not to act.
 */

export type PolicyVerdict =
  | {
      readonly action: 'runbook';
      readonly runbook: RunbookName;
      /** Whom the runbook acts on: part of the execution name, so one run per target. */
      readonly targetId: string;
      readonly input: Readonly<Record<string, string>>;
      readonly reason: string;
    }
  | { readonly action: 'notify'; readonly reason: string };

interface PolicyRule {
  readonly name: string;
  readonly when: (signal: Signal) => boolean;
  readonly verdict: (signal: Signal) => PolicyVerdict;
}

const SELF_HEALER: Readonly<Record<NonNullable<Signal['selfHealing']>['by'], string>> = {
  'auto-scaling': 'EC2 Auto Scaling replaces instances that fail their health checks by itself',
  rds: 'RDS recovers this by itself (Multi-AZ failover typically takes 60-120 s)',
  elasticache: 'ElastiCache recovers this by itself',
  'target-tracking': 'target tracking scaling adds capacity by itself',
};

const minutes = (seconds: number) => Math.round(seconds / 60);

/** Notify and verify: AWS heals this; Rebound escalates if it has not healed in time. */
const observe = (signal: Signal): PolicyVerdict => {
  const healing = signal.selfHealing;
  const who = healing === undefined ? 'AWS recovers this by itself' : SELF_HEALER[healing.by];
  const within =
    healing === undefined ? '' : ` within ${minutes(healing.expectedWithinSeconds)} min`;
  return {
    action: 'notify',
    reason: `${who}; Rebound observes and escalates if it has not recovered${within}.`,
  };
};

const alarmName = (signal: Signal): string | undefined =>
  signal.partKey.startsWith('alarm:') ? signal.partKey.slice('alarm:'.length) : undefined;

/** An AZ name such as `us-east-1a` (AWS Health may leave an unmapped AZ ID like `use1-az2`). */
const AZ_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}[a-z]$/;

/** Part keys of a primary DB that is down or failing (not storage, replication or load). */
const FAILING_DB_PARTS = ['db-availability:', 'db-failure:', 'health:'];

const reasonOf = (signal: Signal): string => signal.summary.slice(0, 256);

export const POLICY: readonly PolicyRule[] = [
  {
    name: 'gray-failure-of-one-instance',
    when: (signal) =>
      signal.kind === 'instance-health' &&
      signal.resource.type === 'ec2-instance' &&
      signal.selfHealing === undefined,
    verdict: (signal) => {
      const alarm = alarmName(signal);
      return {
        action: 'runbook',
        runbook: 'replace-unhealthy-instance',
        targetId: signal.resource.id,
        input: {
          instanceId: signal.resource.id,
          reason: reasonOf(signal),
          ...(alarm === undefined ? {} : { alarmName: alarm }),
        },
        reason: `${signal.resource.id} is unhealthy in a way Auto Scaling health checks do not see (or AWS scheduled it for retirement): replace it with a fresh instance.`,
      };
    },
  },
  {
    // Target tracking adds capacity by itself until the group's maximum; the runbook checks
    // whether the group is at its maximum and skips when target tracking still has room.
    name: 'pressure-at-maximum-capacity',
    when: (signal) =>
      signal.kind === 'capacity-pressure' && signal.resource.type === 'auto-scaling-group',
    verdict: (signal) => {
      const alarm = alarmName(signal);
      return {
        action: 'runbook',
        runbook: 'scale-out',
        targetId: signal.resource.id,
        input: {
          autoScalingGroupName: signal.resource.id,
          reason: reasonOf(signal),
          ...(alarm === undefined ? {} : { alarmName: alarm }),
        },
        reason: `Sustained pressure on ${signal.resource.id}: if target tracking is stuck at the group's maximum, raise it by a bounded step until the pressure clears.`,
      };
    },
  },
  {
    // RDS fails over by itself: follow it and verify the recovery completed (close the loop).
    name: 'follow-database-failover',
    when: (signal) =>
      signal.kind === 'database-failover' &&
      signal.resource.type === 'db-instance' &&
      signal.selfHealing !== undefined,
    verdict: (signal) => ({
      action: 'runbook',
      runbook: 'rds-failover',
      targetId: signal.resource.id,
      input: { dbInstanceId: signal.resource.id, mode: 'follow', reason: reasonOf(signal) },
      reason: `${SELF_HEALER.rds}; Rebound follows it until the new primary serves with Multi-AZ restored and replicas caught up, and escalates if it does not.`,
    }),
  },
  {
    name: 'primary-database-failing',
    when: (signal) =>
      signal.kind === 'database-degraded' &&
      signal.resource.type === 'db-instance' &&
      signal.selfHealing === undefined &&
      FAILING_DB_PARTS.some((prefix) => signal.partKey.startsWith(prefix)),
    verdict: (signal) => ({
      action: 'runbook',
      runbook: 'rds-failover',
      // Its own target: a forced failover is a different run from following one.
      targetId: `${signal.resource.id}-force`,
      input: { dbInstanceId: signal.resource.id, mode: 'force', reason: reasonOf(signal) },
      reason: `${signal.resource.id} is failing and RDS has not failed over: a forced Multi-AZ failover (RebootDBInstance with ForceFailover) after a person approves. The runbook skips it for a replica, a Single-AZ or an already recovering instance.`,
    }),
  },
  {
    // ElastiCache has already promoted a replica: verify the group serves as configured.
    name: 'follow-cache-failover',
    when: (signal) =>
      signal.kind === 'cache-failover' && signal.resource.type === 'cache-replication-group',
    verdict: (signal) => ({
      action: 'runbook',
      runbook: 'cache-failover',
      targetId: signal.resource.id,
      input: { replicationGroupId: signal.resource.id, mode: 'follow', reason: reasonOf(signal) },
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
    verdict: (signal) => ({
      action: 'runbook',
      runbook: 'cache-failover',
      targetId: `${signal.resource.id}-force`,
      input: { replicationGroupId: signal.resource.id, mode: 'force', reason: reasonOf(signal) },
      reason: `AWS reports trouble with ${signal.resource.id} and ElastiCache has not failed over: a failover to a replica (TestFailover) after a person approves.`,
    }),
  },
  {
    name: 'az-impairment',
    when: (signal) =>
      signal.kind === 'az-impairment' && AZ_NAME.test(signal.availabilityZone ?? ''),
    verdict: (signal) => {
      const az = signal.availabilityZone ?? '';
      return {
        action: 'runbook',
        runbook: 'az-evacuation',
        targetId: az,
        input: { availabilityZone: az, reason: reasonOf(signal) },
        reason: `AWS reports an impairment in ${az}: shift the load balancer's traffic away from it (ARC zonal shift) and let the two other AZs carry the load, after a person approves unless the guardrails auto-approve it.`,
      };
    },
  },
  {
    name: 'aws-heals-it',
    when: (signal) => signal.selfHealing !== undefined,
    verdict: observe,
  },
  {
    name: 'failover-that-did-not-happen',
    when: (signal) => signal.kind === 'database-failover',
    verdict: () => ({
      action: 'notify',
      reason:
        'RDS did not fail over (one happened recently); forcing another is a decision for a person: start rds-failover in mode force if the primary is still failing.',
    }),
  },
  {
    name: 'az-impairment-unmapped',
    when: (signal) => signal.kind === 'az-impairment',
    verdict: (signal) => ({
      action: 'notify',
      reason: `AWS reports an impairment in ${signal.availabilityZone ?? 'one Availability Zone'}, which Rebound could not map to one of the shop's AZ names; start az-evacuation by hand with the AZ name to shift traffic away from it.`,
    }),
  },
  {
    name: 'runbook-failure',
    when: (signal) => signal.kind === 'runbook-failure',
    verdict: () => ({
      action: 'notify',
      reason:
        'A Rebound runbook did not finish: the automation stopped halfway; a person must check the execution and take over.',
    }),
  },
];

const NO_RUNBOOK: PolicyRule = {
  name: 'no-runbook',
  when: () => true,
  verdict: (signal) => ({
    action: 'notify',
    reason: `No runbook recovers ${signal.kind} automatically; a person should look.`,
  }),
};

/** The verdict of the first matching policy row for a problem signal. */
export const policyFor = (signal: Signal): PolicyVerdict & { readonly rule: string } => {
  const rule = POLICY.find((candidate) => candidate.when(signal)) ?? NO_RUNBOOK;
  return { ...rule.verdict(signal), rule: rule.name };
};

/**
 * Info signals that mean AWS has just completed a recovery by itself (an ElastiCache failover):
 * worth an incident record, an email and a policy verdict (a runbook verifies the recovery)
 * even when nothing was open.
 */
export const RECORDED_INFO_KINDS: readonly SignalKind[] = ['cache-failover'];
