import type { Severity } from '../severity.js';
import type { Decision } from './decision.js';
import type { BlockedBy } from './runbook-registry.js';
import type { ResourceRef, Signal, SignalKind } from './signal.js';

/**
 * An incident groups the signals of one root cause (same resource or same AZ inside the
 * correlation window) with an append-only timeline of what happened and what Rebound did.
 */

export const INCIDENT_STATUSES = ['open', 'mitigating', 'resolved', 'failed', 'escalated'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which new signals may still join the incident. */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['open', 'mitigating', 'escalated'];
export const isActive = (status: IncidentStatus): boolean => ACTIVE_STATUSES.includes(status);

/** One problem inside an incident, opened by a `problem` signal, closed by its `recovered`. */
export interface IncidentPart {
  readonly key: string;
  readonly kind: SignalKind;
  readonly resource: ResourceRef;
  readonly state: 'active' | 'resolved';
  readonly since: string;
  readonly resolvedAt?: string;
  /** Deadline for AWS's own recovery of this part (ISO), when AWS heals it by itself. */
  readonly expectRecoveryBy?: string;
  /**
   * Opened by a signal that may only inform (`Signal.untrusted`: not the shop's own alarm): it
   * never holds open an incident that has a part that may act, once those have recovered.
   */
  readonly informsOnly?: true;
}

/**
 * Whether a part keeps its incident open: every part but one from a signal that only informs
 * (`Signal.untrusted`: a team's own alarm), which an incident with a part that may act outlives
 * (a team's dashboard alarms may stay in ALARM for hours after the crash they pointed at healed).
 */
export const holdsOpen = (part: IncidentPart): boolean => part.informsOnly !== true;

/** Active parts that only inform, which do not hold the incident open (`holdsOpen`). */
export const informingParts = (incident: Incident): number =>
  incident.parts.filter((part) => !holdsOpen(part) && part.state === 'active').length;

interface TimelineBase {
  /** ISO 8601. */
  readonly at: string;
}
export type TimelineEntry =
  | (TimelineBase & {
      readonly type: 'signal';
      readonly kind: SignalKind;
      readonly phase: Signal['phase'];
      readonly partKey: string;
      readonly summary: string;
      readonly eventId: string;
    })
  | (TimelineBase & {
      readonly type: 'decision';
      readonly action: Decision['action'];
      readonly runbook: string | null;
      readonly reason: string;
      readonly blockedBy?: BlockedBy;
    })
  | (TimelineBase & {
      readonly type: 'runbook';
      readonly runbook: string;
      readonly executionName: string;
      readonly status: 'started' | 'already-running' | 'succeeded' | 'failed' | 'dry-run';
      readonly executionArn?: string;
      readonly detail?: string;
    })
  | (TimelineBase & {
      readonly type: 'alert';
      readonly severity: Severity;
      readonly subject: string;
      readonly sms: boolean;
    })
  | (TimelineBase & {
      /** A person's answer to a runbook's approval request (or its absence). */
      readonly type: 'approval';
      readonly runbook: string;
      readonly executionName: string;
      readonly decision: 'requested' | 'approved' | 'rejected' | 'timed-out';
      /** Who answered, as they named themselves (link form) or as the CLI output said. */
      readonly by?: string;
      readonly reason?: string;
      /** How the answer came: `link` (the approval endpoint) or `cli` (SendTaskSuccess by hand). */
      readonly via?: string;
    })
  | (TimelineBase & {
      readonly type: 'status';
      readonly from: IncidentStatus;
      readonly to: IncidentStatus;
      readonly reason: string;
    });

export interface Incident {
  /** `inc-<yyyymmddThhmm>-<8 hex>`: sortable and unique. */
  readonly id: string;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  /**
   * Headline: the first problem's summary; the first problem that may act takes it over from
   * problems that only inform (`IncidentPart.informsOnly`).
   */
  readonly title: string;
  /** Kind of the signal that opened the incident (or, like the title, took it over). */
  readonly kind: SignalKind;
  readonly resources: readonly ResourceRef[];
  readonly availabilityZone?: string;
  readonly parts: readonly IncidentPart[];
  /**
   * Keys under which other signals find this incident while it is active:
   * `resource:<type>:<id>`, `az:<name>`, `part:<partKey>`.
   */
  readonly scopeKeys: readonly string[];
  readonly timeline: readonly TimelineEntry[];
  readonly openedAt: string;
  readonly updatedAt: string;
  /**
   * When the incident reached `resolved` (for MTTR). Only a resolved incident has one: a
   * `failed` incident was handed to a person, not resolved (see {@link handedOverAt}).
   */
  readonly resolvedAt?: string;
  /**
   * Until when (ISO) a closed incident keeps its part keys claimed: set on the incident that
   * records a recovery AWS completed by itself (an ElastiCache failover), so that the other
   * notifications of the same recovery join it instead of each opening an incident and a run.
   */
  readonly recordedUntil?: string;
  /** Last time an SMS (page) went out for this incident: one page per incident, updates batched. */
  readonly lastPagedAt?: string;
  /**
   * Runbook executions started for this incident: execution name to execution ARN, or
   * {@link PENDING_EXECUTION} from the decision to start until the start is recorded.
   */
  readonly runbookExecutions: Readonly<Record<string, string>>;
  /** Optimistic-concurrency counter: every stored update increments it. */
  readonly version: number;
}

/**
 * The value of `runbookExecutions[name]` written with the decision to start, before
 * StartExecution: a retry after a crash or a failed write finds the intent and starts again with
 * the same name (Step Functions runs one execution per name) instead of deciding anew and meeting
 * its own run's cooldown.
 */
export const PENDING_EXECUTION = 'pending';

/**
 * Whether an alert of `severity` about `incident` may page (SMS): it is critical and the
 * incident has not paged yet. One page per incident, at the moment a person is first needed;
 * an escalation is the exception and pages whatever paged before (stalled.ts, report-outcome.ts).
 */
export const pageDue = (incident: Incident, severity: Severity): boolean =>
  severity === 'critical' && incident.lastPagedAt === undefined;

/**
 * `incident` without the page claimed at `at`, given back because its alert could not be sent
 * (the retry, or the escalation, then pages). The same incident when the page is not that claim.
 */
export const releasePageClaim = (incident: Incident, at: string): Incident => {
  if (incident.lastPagedAt !== at) return incident;
  const { lastPagedAt: _released, ...rest } = incident;
  return rest;
};

/** The incident with `entries` appended to its timeline (append-only) and `updatedAt` moved. */
export const appendTimeline = (
  incident: Incident,
  entries: readonly TimelineEntry[],
  now: Date,
): Incident => ({
  ...incident,
  timeline: [...incident.timeline, ...entries],
  updatedAt: now.toISOString(),
});

/**
 * The incident moved to `to`, with a `status` timeline entry saying why; `resolvedAt` is set
 * when it reaches `resolved` (for MTTR), never when it fails: nobody resolved it, Rebound
 * handed it over. Unchanged if it is already there.
 */
export const transition = (
  incident: Incident,
  to: IncidentStatus,
  reason: string,
  now: Date,
): Incident => {
  if (incident.status === to) return incident;
  const at = now.toISOString();
  return {
    ...appendTimeline(incident, [{ type: 'status', at, from: incident.status, to, reason }], now),
    status: to,
    ...(to === 'resolved' ? { resolvedAt: at } : {}),
  };
};

/**
 * Minutes from open to resolution, when resolved. Records written before failed incidents lost
 * their `resolvedAt` still carry one: the status decides, so they show no MTTR either.
 */
export const timeToResolveMinutes = (incident: Incident): number | undefined =>
  incident.status !== 'resolved' || incident.resolvedAt === undefined
    ? undefined
    : (Date.parse(incident.resolvedAt) - Date.parse(incident.openedAt)) / 60_000;

/** When a failed incident was handed to a person (its move to `failed`), from its timeline. */
export const handedOverAt = (incident: Incident): string | undefined =>
  incident.status === 'failed'
    ? incident.timeline.findLast((entry) => entry.type === 'status' && entry.to === 'failed')?.at
    : undefined;
