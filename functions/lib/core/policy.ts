import { isAutoshift, SELF_HEALER } from './policy-kit.js';
import { RUNBOOKS, type RunbookName } from './runbook-registry.js';
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

/** The rows that start a runbook: each registry row's triggers, in registry order. */
const RUNBOOK_ROWS: readonly PolicyRule[] = RUNBOOKS.flatMap((runbook) =>
  runbook.triggers.map(
    (trigger): PolicyRule => ({
      name: trigger.name,
      when: trigger.when,
      verdict: (signal) => ({ action: 'runbook', runbook: runbook.name, ...trigger.start(signal) }),
    }),
  ),
);

export const POLICY: readonly PolicyRule[] = [
  ...RUNBOOK_ROWS,
  {
    name: 'aws-heals-it',
    when: (signal) => signal.selfHealing !== undefined,
    verdict: observe,
  },
  {
    name: 'failover-that-did-not-happen',
    when: (signal) => signal.kind === 'database-failover' && signal.phase === 'problem',
    verdict: () => ({
      action: 'notify',
      reason:
        'RDS did not fail over (one happened recently); forcing another is a decision for a person: start rds-failover in mode force if the primary is still failing.',
    }),
  },
  {
    // classify-arc-zonal-shift.ts: AWS started a zonal autoshift of the shop's ALB or group.
    name: 'az-autoshift',
    when: (signal) => signal.kind === 'az-impairment' && isAutoshift(signal),
    verdict: (signal) => ({
      action: 'notify',
      reason: `AWS reports ${signal.availabilityZone ?? 'an Availability Zone'} impaired and is already shifting the shop's traffic away from it (ARC zonal autoshift), so Rebound starts no second shift; AWS ends the autoshift when the AZ recovers.`,
    }),
  },
  {
    // classify-health.ts: an AWS Health issue in an AZ the shop does not run in.
    name: 'az-impairment-outside-the-shop',
    when: (signal) =>
      signal.kind === 'informational' && signal.resource.type === 'availability-zone',
    verdict: (signal) => ({
      action: 'notify',
      reason: `AWS reports an impairment in ${signal.resource.id}, which is not one of the shop's AZs: nothing of the shop runs there, so Rebound neither acts nor pages; the shop's own alarms tell if it spreads.`,
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
 * Info and recovery signals that mean AWS has just completed a recovery by itself (an
 * ElastiCache failover; an RDS Multi-AZ failover whose start event never came, since RDS events
 * are best effort): worth an incident record, an email and a policy verdict (a runbook verifies
 * the recovery) even when nothing was open.
 */
export const RECORDED_INFO_KINDS: readonly SignalKind[] = ['cache-failover', 'database-failover'];
