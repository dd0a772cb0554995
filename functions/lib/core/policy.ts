import type { RunbookName } from '../../../runbooks/registry.js';
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

export const POLICY: readonly PolicyRule[] = [
  {
    name: 'aws-heals-it',
    when: (signal) => signal.selfHealing !== undefined,
    verdict: observe,
  },
  {
    name: 'gray-failure-of-one-instance',
    when: (signal) => signal.kind === 'instance-health' && signal.resource.type === 'ec2-instance',
    verdict: (signal) => {
      const alarm = alarmName(signal);
      return {
        action: 'runbook',
        runbook: 'replace-unhealthy-instance',
        targetId: signal.resource.id,
        input: {
          instanceId: signal.resource.id,
          reason: signal.summary.slice(0, 256),
          ...(alarm === undefined ? {} : { alarmName: alarm }),
        },
        reason: `${signal.resource.id} is unhealthy in a way Auto Scaling health checks do not see (or AWS scheduled it for retirement): replace it with a fresh instance.`,
      };
    },
  },
  {
    name: 'failover-that-did-not-happen',
    when: (signal) => signal.kind === 'database-failover',
    verdict: () => ({
      action: 'notify',
      reason:
        'RDS did not fail over by itself; forcing a failover is a decision for a person (RebootDBInstance with ForceFailover).',
    }),
  },
  {
    name: 'az-impairment',
    when: (signal) => signal.kind === 'az-impairment',
    verdict: (signal) => ({
      action: 'notify',
      reason: `AWS reports an impairment in ${signal.availabilityZone ?? 'one Availability Zone'}; the shop runs in three AZs and the Auto Scaling group avoids impaired AZs. Consider an ARC zonal shift of the load balancer away from it.`,
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
 * worth an incident record and an email even when nothing was open.
 */
export const RECORDED_INFO_KINDS: readonly SignalKind[] = ['cache-failover'];
