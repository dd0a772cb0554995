import { createHash } from 'node:crypto';
import type { Severity } from '../severity.js';
import {
  appendTimeline,
  holdsOpen,
  type Incident,
  type IncidentPart,
  informingParts,
  isActive,
  transition,
} from './incident.js';
import type { ResourceRef, ResourceType, Signal } from './signal.js';

/**
 * Correlation: one incident per root cause. A signal joins an active incident that holds its
 * part, its resource or its AZ (recent enough); otherwise a problem opens a new incident. Pure.
 */

/** Signals about the same resource or AZ within this many minutes of the incident's last activity join it. */
export const CORRELATION_WINDOW_MINUTES = 30;

export const resourceScopeKey = (resource: ResourceRef): string =>
  `resource:${resource.type}:${resource.id}`;

export const zoneScopeKey = (availabilityZone: string): string => `az:${availabilityZone}`;
export const isZoneKey = (key: string): boolean => key.startsWith('az:');

/**
 * Related resources that group many others. A signal looks incidents up by them (an instance's
 * alarm finds the pressure incident of its group) but does not claim them: claiming the group
 * would pull every instance's problem, in any AZ, into one incident.
 */
const GROUPING_TYPES: ReadonlySet<ResourceType> = new Set([
  'auto-scaling-group',
  'cache-replication-group',
]);

/** Members of a group: a signal about one of them is about a part of its group, not all of it. */
const MEMBER_TYPES: ReadonlySet<ResourceType> = new Set(['ec2-instance', 'cache-node']);

/**
 * Keys a signal claims on the incident it opens or joins: its part, its resource, its related
 * resources, and its AZ; a related group only when the signal is about the group as a whole
 * (the target group's unhealthy hosts are the web group's), not about one member of it.
 * Claiming the related ones makes two signals about one thing collide when they arrive together
 * (an alarm on an instance, an Auto Scaling event on its group naming that instance), so one of
 * them loses the write, reads again and joins the other's incident instead of opening a second
 * one; and a claimed group lets a signal about the whole group (a team's alarm on it) find the
 * incident.
 */
export const scopeKeysOf = (signal: Signal): string[] => [
  ...new Set([
    `part:${signal.partKey}`,
    resourceScopeKey(signal.resource),
    ...signal.related
      .filter(
        (resource) => !GROUPING_TYPES.has(resource.type) || !MEMBER_TYPES.has(signal.resource.type),
      )
      .map(resourceScopeKey),
    ...(signal.availabilityZone === undefined ? [] : [zoneScopeKey(signal.availabilityZone)]),
  ]),
];

/** Keys to look up candidate incidents by: the claimed ones plus the related groups. */
export const searchKeysOf = (signal: Signal): string[] => [
  ...new Set([...scopeKeysOf(signal), ...signal.related.map(resourceScopeKey)]),
];

export type PartChange =
  /** A problem opened (or re-opened) a part. */
  | 'opened'
  /** A recovery closed an active part. */
  | 'resolved'
  /** The same thing was already known (redelivery, repeated alarm): nothing changed. */
  | 'duplicate'
  /** An informational signal: a timeline line, no part. */
  | 'noted';

export type Correlation =
  | {
      readonly type: 'opened';
      readonly incident: Incident;
      /** See {@link Released}. */
      readonly released?: readonly Incident[];
    }
  | {
      readonly type: 'joined';
      readonly incident: Incident;
      readonly previous: Incident;
      readonly change: PartChange;
      /** See {@link Released}. */
      readonly released?: readonly Incident[];
    }
  /** A recovery or info signal with no active incident to join. */
  | { readonly type: 'unmatched' };

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { warning: 1, critical: 2 };
const maxSeverity = (a: Severity, b: Severity): Severity =>
  SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;

const sameResource = (a: ResourceRef, b: ResourceRef) => a.type === b.type && a.id === b.id;

/** `inc-20261126T0304-1a2b3c4d`: sortable by open time; the hash makes concurrent opens from one event collide. */
export const incidentIdFor = (signal: Signal, now: Date): string => {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '');
  const hash = createHash('sha256')
    .update(`${signal.source.eventId}|${signal.partKey}`)
    .digest('hex')
    .slice(0, 8);
  return `inc-${stamp}-${hash}`;
};

/**
 * Epoch ms until which a resolved incident still holds its AZ keys (0: it does not): the
 * correlation window after it resolved. An AZ outage's parts do not arrive together (an RDS
 * failover is over in 1-2 min, AWS Health posts minutes later): a later signal in the same AZ
 * finds the incident and reopens it instead of opening (and paging for) another.
 */
export const zoneHeldUntil = (incident: Incident): number =>
  incident.status === 'resolved' &&
  incident.resolvedAt !== undefined &&
  incident.scopeKeys.some(isZoneKey)
    ? Date.parse(incident.resolvedAt) + CORRELATION_WINDOW_MINUTES * 60_000
    : 0;

const withinWindow = (incident: Incident, now: Date): boolean =>
  now.getTime() - Date.parse(incident.updatedAt) <= CORRELATION_WINDOW_MINUTES * 60_000;

const holdsPart = (incident: Incident, partKey: string) =>
  incident.parts.some((part) => part.key === partKey);

/**
 * Whether `incident` resolved moments ago (`zoneHeldUntil`) in the AZ of `signal`, a problem or
 * an info signal: another part of the same AZ outage (see store-rules.ts).
 */
const resolvedInSameZone = (incident: Incident, signal: Signal, now: Date): boolean =>
  signal.phase !== 'recovered' &&
  signal.availabilityZone !== undefined &&
  incident.scopeKeys.includes(zoneScopeKey(signal.availabilityZone)) &&
  zoneHeldUntil(incident) >= now.getTime();

/**
 * The incident this signal belongs to among the `candidates` (newest first): the one
 * holding its part, whatever its age (an alarm that took hours to clear still closes its part);
 * otherwise, for problems and info, the newest one sharing a scope key within the window; then,
 * for problems and info in an AZ, a closed incident that resolved in the same AZ moments ago
 * (`zoneHeldUntil`); for info and recoveries, last, a closed incident that recorded the same part
 * moments ago (`recordedUntil`).
 */
export const pickIncident = (
  signal: Signal,
  candidates: readonly Incident[],
  now: Date,
): Incident | undefined => {
  const active = candidates.filter((incident) => isActive(incident.status));
  const byPart = active.find((incident) => holdsPart(incident, signal.partKey));
  if (byPart !== undefined) return byPart;
  if (signal.phase !== 'recovered') {
    const keys = new Set(searchKeysOf(signal));
    const related = active.find(
      (incident) => withinWindow(incident, now) && incident.scopeKeys.some((key) => keys.has(key)),
    );
    if (related !== undefined) return related;
  }
  const sameZone = candidates.find((incident) => resolvedInSameZone(incident, signal, now));
  if (sameZone !== undefined) return sameZone;
  // Another notification of a recovery AWS completed and an incident recorded moments ago (an
  // RDS failover sends two completions, 0015 and 0049, and its start may come after them).
  return candidates.find(
    (incident) =>
      !isActive(incident.status) &&
      incident.recordedUntil !== undefined &&
      Date.parse(incident.recordedUntil) >= now.getTime() &&
      incident.scopeKeys.includes(`part:${signal.partKey}`),
  );
};

/** The timeline line of a signal. */
export const signalEntry = (signal: Signal, now: Date) =>
  ({
    type: 'signal',
    at: now.toISOString(),
    kind: signal.kind,
    phase: signal.phase,
    partKey: signal.partKey,
    summary: signal.summary,
    eventId: signal.source.eventId,
  }) as const;

const partFor = (signal: Signal, now: Date): IncidentPart => ({
  key: signal.partKey,
  kind: signal.kind,
  resource: signal.resource,
  state: 'active',
  since: now.toISOString(),
  ...(signal.untrusted === undefined ? {} : { informsOnly: true as const }),
  ...(signal.selfHealing === undefined
    ? {}
    : {
        expectRecoveryBy: new Date(
          now.getTime() + signal.selfHealing.expectedWithinSeconds * 1000,
        ).toISOString(),
      }),
});

/** `items` followed by those of `more` not already in it. */
const union = <T>(items: readonly T[], more: readonly T[], same: (a: T, b: T) => boolean): T[] => {
  const result = [...items];
  for (const item of more) {
    if (!result.some((existing) => same(existing, item))) result.push(item);
  }
  return result;
};

const openIncident = (signal: Signal, now: Date): Incident => {
  const at = now.toISOString();
  const incident: Incident = {
    id: incidentIdFor(signal, now),
    status: 'open',
    severity: signal.severity,
    title: signal.summary,
    kind: signal.kind,
    resources: union([signal.resource], signal.related, sameResource),
    ...(signal.availabilityZone === undefined ? {} : { availabilityZone: signal.availabilityZone }),
    parts: signal.phase === 'problem' ? [partFor(signal, now)] : [],
    scopeKeys: scopeKeysOf(signal),
    timeline: [signalEntry(signal, now)],
    openedAt: at,
    updatedAt: at,
    runbookExecutions: {},
    version: 1,
  };
  // A recovery AWS already completed (info) is recorded as an incident that is over at once; it
  // keeps its part claimed for the correlation window, so the other notifications of the same
  // recovery (ElastiCache sends several for one failover) join it.
  return signal.phase === 'problem'
    ? incident
    : {
        ...transition(incident, 'resolved', 'AWS completed the recovery by itself', now),
        recordedUntil: new Date(now.getTime() + CORRELATION_WINDOW_MINUTES * 60_000).toISOString(),
      };
};

/**
 * Released: other incidents that held resource or AZ keys the opened or joined incident now
 * claims (typically an active one past its window, which no longer attracts signals by them, or
 * one resolved moments ago that still holds its AZ while the signal joined another incident);
 * the next version of each without those keys, to store first, because a scope key has one holder.
 * They keep their part keys, so their own recoveries still find them.
 */
const release = (
  claimed: readonly string[],
  owner: string,
  candidates: readonly Incident[],
): Incident[] => {
  const wanted = new Set(claimed);
  // An active incident holds every key; a resolved one its AZ keys for a while (zoneHeldUntil).
  const takes = (candidate: Incident, key: string) =>
    wanted.has(key) &&
    (isActive(candidate.status) || (isZoneKey(key) && zoneHeldUntil(candidate) > 0));
  return candidates
    .filter(
      (candidate) =>
        candidate.id !== owner && candidate.scopeKeys.some((key) => takes(candidate, key)),
    )
    .map((candidate) => ({
      ...candidate,
      scopeKeys: candidate.scopeKeys.filter((key) => !takes(candidate, key)),
      version: candidate.version + 1,
    }));
};

/** Correlation `result` plus the incidents to release so that its incident may be stored. */
const withReleased = (result: Correlation, candidates: readonly Incident[]): Correlation => {
  if (result.type === 'unmatched') return result;
  if (result.type === 'joined' && result.change === 'duplicate') return result;
  if (!isActive(result.incident.status)) return result;
  const newKeys = result.incident.scopeKeys.filter(
    (key) => result.type === 'opened' || !result.previous.scopeKeys.includes(key),
  );
  const released = release(newKeys, result.incident.id, candidates);
  return released.length === 0 ? result : { ...result, released };
};

/** `incident`, resolved moments ago, open again for `signal`'s problem in its AZ. */
const reopen = (incident: Incident, signal: Signal, now: Date): Incident => {
  const { resolvedAt: _resolvedAt, recordedUntil: _recordedUntil, ...closed } = incident;
  const minutes = Math.round(
    (now.getTime() - Date.parse(incident.resolvedAt ?? now.toISOString())) / 60_000,
  );
  return transition(
    closed,
    'open',
    `reopened: a new problem in ${signal.availabilityZone} (${signal.kind}), ${minutes} min after the incident resolved in the same AZ`,
    now,
  );
};

/** Applies a signal to the incident it joined. */
const join = (incident: Incident, signal: Signal, now: Date): Correlation => {
  const part = incident.parts.find((candidate) => candidate.key === signal.partKey);
  const joined = (change: PartChange, next: Incident): Correlation => ({
    type: 'joined',
    incident: change === 'duplicate' ? incident : { ...next, version: incident.version + 1 },
    previous: incident,
    change,
  });

  // A new problem in the AZ of an incident resolved moments ago: another part of the same
  // outage, so the incident opens again (pickIncident, resolvedInSameZone).
  const reopens =
    signal.phase === 'problem' &&
    signal.untrusted === undefined &&
    part === undefined &&
    !isActive(incident.status) &&
    resolvedInSameZone(incident, signal, now);
  // Info, or anything about a recovery already recorded as over (RDS events come out of
  // order: a failover's start after its completion): a line in the timeline, nothing reopened.
  if (signal.phase === 'info' || (!isActive(incident.status) && !reopens)) {
    return joined('noted', appendTimeline(incident, [signalEntry(signal, now)], now));
  }
  if (signal.phase === 'problem') {
    if (part?.state === 'active') return joined('duplicate', incident);
    const current = reopens ? reopen(incident, signal, now) : incident;
    const parts = [
      ...current.parts.filter((candidate) => candidate.key !== signal.partKey),
      partFor(signal, now),
    ];
    // The first problem that may act heads an incident so far made of signals that only inform
    // (a team's alarms on the web group before the crash they point at).
    const headline =
      signal.untrusted === undefined && !current.parts.some(holdsOpen)
        ? { title: signal.summary, kind: signal.kind }
        : {};
    return joined('opened', {
      ...appendTimeline(current, [signalEntry(signal, now)], now),
      ...headline,
      parts,
      severity: maxSeverity(current.severity, signal.severity),
      resources: union(current.resources, [signal.resource, ...signal.related], sameResource),
      ...(current.availabilityZone === undefined && signal.availabilityZone !== undefined
        ? { availabilityZone: signal.availabilityZone }
        : {}),
      scopeKeys: union(current.scopeKeys, scopeKeysOf(signal), (a, b) => a === b),
    });
  }
  // Recovery.
  if (part === undefined || part.state === 'resolved') return joined('duplicate', incident);
  const at = now.toISOString();
  const parts = incident.parts.map((candidate) =>
    candidate.key === signal.partKey
      ? { ...candidate, state: 'resolved' as const, resolvedAt: at }
      : candidate,
  );
  let next: Incident = { ...appendTimeline(incident, [signalEntry(signal, now)], now), parts };
  if (parts.every((candidate) => candidate.state === 'resolved')) {
    next = transition(next, 'resolved', 'every part of the incident has recovered', now);
  } else if (
    parts.some(holdsOpen) &&
    parts.filter(holdsOpen).every((candidate) => candidate.state === 'resolved')
  ) {
    next = transition(
      next,
      'resolved',
      `every part that may act has recovered; ${informingParts(next)} part(s) from alarms that only inform (not the shop's own) still in ALARM do not hold it open`,
      now,
    );
  }
  return joined('resolved', next);
};

export interface CorrelateOptions {
  /**
   * Record an info signal or a recovery with nothing to join as an incident of its own
   * (already resolved): AWS recovered something Rebound saw no problem for.
   */
  readonly recordUnmatchedInfo?: boolean;
}

/**
 * Correlates a signal with the active candidate incidents. Problems open a new incident when
 * nothing matches; recoveries and info signals with nothing to join are `unmatched`, unless
 * `recordUnmatchedInfo` asks to record them.
 */
export const correlate = (
  signal: Signal,
  candidates: readonly Incident[],
  now: Date,
  options: CorrelateOptions = {},
): Correlation => {
  const incident = pickIncident(signal, candidates, now);
  if (incident !== undefined) return withReleased(join(incident, signal, now), candidates);
  const opens = signal.phase === 'problem' || options.recordUnmatchedInfo === true;
  if (!opens) return { type: 'unmatched' };
  return withReleased({ type: 'opened', incident: openIncident(signal, now) }, candidates);
};
