import { isZoneKey, zoneHeldUntil } from './correlate.js';
import { type Incident, isActive } from './incident.js';
import type { ActionRequest, LedgerVerdict } from './ports.js';

/**
 * Rules both incident-store and both ledger implementations (in memory, DynamoDB) share, so
 * they cannot drift: which scope keys an incident claims, ordering, and the ledger verdict.
 */

/**
 * Scope keys an incident holds: its own, deduplicated, while it is active; once closed, its part
 * keys if it records an AWS recovery (`recordedUntil`) and its AZ keys if it resolved moments ago
 * (`zoneHeldUntil`); none otherwise.
 */
export const claimedScopeKeys = (incident: Incident): readonly string[] => {
  if (isActive(incident.status)) return [...new Set(incident.scopeKeys)];
  const parts = incident.recordedUntil !== undefined;
  const zones = zoneHeldUntil(incident) > 0;
  return [
    ...new Set(
      incident.scopeKeys.filter(
        (key) => (parts && key.startsWith('part:')) || (zones && isZoneKey(key)),
      ),
    ),
  ];
};

/** Epoch ms until which a closed incident's claims still hold (0: they do not). */
export const claimsHeldUntil = (incident: Incident): number =>
  Math.max(
    incident.recordedUntil === undefined ? 0 : Date.parse(incident.recordedUntil),
    zoneHeldUntil(incident),
  );

/**
 * Whether a claim held by `holder` stops another incident written at `writtenAt` (its
 * `updatedAt`, the writer's clock) from taking the key: an active holder always does, a closed
 * one until its `recordedUntil`. Any other claim is stale and may be taken over.
 */
export const claimBlocks = (holder: Incident, writtenAt: string): boolean =>
  isActive(holder.status) || claimsHeldUntil(holder) > Date.parse(writtenAt);

/** Whether `findActive` returns the incident: active, or closed but still claiming keys. */
export const isFindable = (incident: Incident): boolean =>
  isActive(incident.status) || incident.recordedUntil !== undefined || zoneHeldUntil(incident) > 0;

/** Newest `openedAt` first; ties by id, so the order is stable. */
export const newestFirst = (a: Incident, b: Incident): number =>
  b.openedAt.localeCompare(a.openedAt) || b.id.localeCompare(a.id);

/** `create` stores new incidents only: a caller passing another version has a bug. */
export const assertNewIncident = (incident: Incident): void => {
  if (incident.version !== 1) {
    throw new RangeError(
      `create expects a new incident (version 1); ${incident.id} has version ${incident.version}`,
    );
  }
};

const ONE_HOUR_MS = 60 * 60 * 1000;

/** What the ledger knows about one request's budget and resource. */
export interface LedgerState {
  /** Epoch milliseconds of earlier claims on the budget. */
  readonly claims: readonly number[];
  /** Epoch milliseconds until which the resource is cooling down. */
  readonly cooldownUntil?: number;
}

/** Claims that still count against the budget: those of the last 60 minutes. */
export const claimsInLastHour = (claims: readonly number[], now: Date): number[] =>
  claims.filter((at) => at > now.getTime() - ONE_HOUR_MS);

const utcTime = (epochMs: number, now: Date): string => {
  // Rounded up to the minute: acting at the printed time is never too early.
  const iso = new Date(Math.ceil(epochMs / 60_000) * 60_000).toISOString();
  const sameDay = iso.slice(0, 10) === now.toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
};

/**
 * Whether `request` fits: the resource's cooldown is over and fewer than `maxPerHour` claims
 * happened in the last hour. Reasons are for people ("2 instance replacements in the last hour
 * (budget 2)", "i-0abc in cooldown until 14:05 UTC").
 */
export const ledgerVerdict = (
  request: ActionRequest,
  state: LedgerState,
  now: Date,
): LedgerVerdict => {
  if (state.cooldownUntil !== undefined && state.cooldownUntil > now.getTime()) {
    return {
      allowed: false,
      blockedBy: 'cooldown',
      reason: `${request.resourceId} in cooldown until ${utcTime(state.cooldownUntil, now)}`,
    };
  }
  const label = request.budget.replaceAll('-', ' ');
  if (request.maxPerHour <= 0) {
    return { allowed: false, blockedBy: 'budget', reason: `${label} budget is 0 per hour` };
  }
  const used = claimsInLastHour(state.claims, now).length;
  if (used >= request.maxPerHour) {
    return {
      allowed: false,
      blockedBy: 'budget',
      reason: `${used} ${label}${used === 1 ? '' : 's'} in the last hour (budget ${request.maxPerHour})`,
    };
  }
  return { allowed: true };
};

/** End of the cooldown a claim made at `now` starts. */
export const cooldownEnd = (request: ActionRequest, now: Date): number =>
  now.getTime() + request.cooldownMinutes * 60_000;
