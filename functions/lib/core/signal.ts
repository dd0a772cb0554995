import type { Severity } from '../severity.js';

/**
 * A signal is one classified AWS event: what broke (or recovered), where, how badly.
 * Classification turns any accepted event into at most one signal; everything downstream
 * (correlation, decision, alerting) works on signals, never on raw events.
 */

/** What broke. `informational` covers events worth recording but not worth acting on. */
export const SIGNAL_KINDS = [
  'instance-health',
  'capacity-pressure',
  'database-failover',
  'database-degraded',
  'cache-failover',
  'cache-degraded',
  'az-impairment',
  'runbook-failure',
  'informational',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/**
 * Where the signal stands in the life of its part of an incident:
 * - `problem`: something is wrong (alarm in ALARM, launch failed, failover started…);
 * - `recovered`: the same part is healthy again (alarm back to OK, failover completed…);
 * - `info`: worth a timeline line, changes nothing (launch succeeded, refresh started…).
 */
export const SIGNAL_PHASES = ['problem', 'recovered', 'info'] as const;
export type SignalPhase = (typeof SIGNAL_PHASES)[number];

export const RESOURCE_TYPES = [
  'ec2-instance',
  'auto-scaling-group',
  'db-instance',
  'cache-replication-group',
  'cache-node',
  'load-balancer',
  'target-group',
  'distribution',
  'availability-zone',
  'state-machine',
  'alarm',
  'other',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export type DbRole = 'primary' | 'replica';

export interface ResourceRef {
  readonly type: ResourceType;
  /** The resource's own id or name (`i-0abc…`, `rebound-prod-db`, `rebound-prod-web`). */
  readonly id: string;
}

/** Who heals this by itself, and how long that normally takes (DESIGN: don't fight AWS). */
export interface AwsSelfHealing {
  readonly by: 'auto-scaling' | 'rds' | 'elasticache' | 'target-tracking';
  /** After this long without a recovery signal, the recovery counts as stalled. */
  readonly expectedWithinSeconds: number;
}

/** Where a signal came from: enough to find the raw event again (archive, logs). */
export interface SignalSource {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** ISO 8601 time of the event (envelope `time`). */
  readonly time: string;
  readonly region: string;
  readonly account: string;
  /** The archive replay that sent it again (envelope `replay-name`); absent on live events. */
  readonly replayName?: string;
}

export interface Signal {
  readonly kind: SignalKind;
  readonly phase: SignalPhase;
  readonly severity: Severity;
  /** The resource the signal is about (the instance, not its group, when known). */
  readonly resource: ResourceRef;
  /** Other resources involved (the group of an instance, the replicas of a DB…). */
  readonly related: readonly ResourceRef[];
  /**
   * The part of an incident this signal opens or closes: a `problem` and the `recovered` with
   * the same part key are the two ends of one part (an alarm name, `asg-launch:<group>`, …).
   */
  readonly partKey: string;
  /** AZ name (`us-east-1a`) when the event names one or it can be derived. */
  readonly availabilityZone?: string;
  /** One line for humans: "CPU of rebound-prod-web above 85% for 10 minutes". */
  readonly summary: string;
  /**
   * AWS's own words about the event when it sends some (AWS Health's description), bounded;
   * the email shows it sanitised, on one line.
   */
  readonly description?: string;
  /** The metric an alarm watches (`StatusCheckFailed`), when an alarm raised the signal. */
  readonly metric?: string;
  /** Set when AWS heals this kind of failure itself; Rebound then observes and verifies. */
  readonly selfHealing?: AwsSelfHealing;
  /**
   * For a DB instance: the shop's primary or one of its read replicas. Only the primary can
   * fail over, so only its signals may start rds-failover.
   */
  readonly dbRole?: DbRole;
  /**
   * Set when the event may inform but never act nor page, saying why: an alarm that is not one
   * of the shop stack's own (by exact name) or that names an identifier that is not the shop's.
   */
  readonly untrusted?: string;
  readonly source: SignalSource;
}
