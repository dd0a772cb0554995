/**
 * The incident table: one DynamoDB table, partition key `pk` (string), no sort key, TTL on
 * `expiresAt` (epoch seconds). Shared by the CDK construct that declares it and the adapters that
 * read and write it, so both agree to the letter.
 *
 * Items, by `pk`:
 * - `INCIDENT#<id>`: the incident as a document (`incident`), its `version`, `active` flag and
 *   `claimsHeldUntil` (epoch ms, 0 for none) for conditions, `timelineOmitted` (see
 *   {@link TIMELINE_CAP}), `expiresAt`.
 * - `SCOPE#<scopeKey>`: `{ incidentId }`, the active incident holding that scope key.
 * - `BUDGET#<budget>`: `claims` (epoch ms of the claims of the last hour) and a `version`.
 * - `COOLDOWN#<resourceId>`: `until` (epoch ms) and `expiresAt`.
 * - `APPROVAL#<approvalId>`: one approval request of a runbook run (task token, action, status,
 *   `deadline`, who answered), see dynamodb-approval-store.ts.
 */
export const INCIDENT_TABLE = { partitionKey: 'pk', timeToLiveAttribute: 'expiresAt' } as const;

export const incidentItemKey = (incidentId: string): string => `INCIDENT#${incidentId}`;
export const scopeItemKey = (scopeKey: string): string => `SCOPE#${scopeKey}`;
export const budgetItemKey = (budget: string): string => `BUDGET#${budget}`;
export const cooldownItemKey = (resourceId: string): string => `COOLDOWN#${resourceId}`;

/** Incidents are kept this long after they resolve (or after their last update). */
export const INCIDENT_RETENTION_DAYS = 90;

/** `expiresAt` of an incident item: retention counted from `resolvedAt`, else `updatedAt`. */
export const incidentExpiresAt = (incident: {
  readonly resolvedAt?: string;
  readonly updatedAt: string;
}): number =>
  Math.floor(Date.parse(incident.resolvedAt ?? incident.updatedAt) / 1000) +
  INCIDENT_RETENTION_DAYS * 24 * 60 * 60;

/**
 * Bounds the stored timeline so an incident item stays far below DynamoDB's 400 KB: past `max`
 * entries, the first `head` (how it started) and the last `tail` (what is happening now) are kept
 * and the middle is dropped; the item counts the dropped entries in `timelineOmitted`.
 */
export const TIMELINE_CAP = { max: 300, head: 20, tail: 250 } as const;

/** The timeline to store and how many entries it drops. */
export const capTimeline = <T>(
  timeline: readonly T[],
): { readonly kept: readonly T[]; readonly omitted: number } =>
  timeline.length <= TIMELINE_CAP.max
    ? { kept: timeline, omitted: 0 }
    : {
        kept: [
          ...timeline.slice(0, TIMELINE_CAP.head),
          ...timeline.slice(timeline.length - TIMELINE_CAP.tail),
        ],
        omitted: timeline.length - TIMELINE_CAP.head - TIMELINE_CAP.tail,
      };

/**
 * Whether a TransactWriteItems failed because a condition no longer held or a concurrent
 * transaction touched the same items (re-read and decide again), rather than for another reason
 * (validation, throttling: rethrow).
 */
export const lostTransactionRace = (error: unknown): boolean => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: readonly { Code?: string }[] })
    .CancellationReasons;
  return (reasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
};

/**
 * The partition key prefix of recovery-wait items: `RECOVERY-WAIT#<runbook>:<resourceId>` holds
 * the task token (`token`) of the run that waits for AWS to announce the recovery of that
 * resource (runbooks/kit/verify-loop.ts writes it; triage takes it and answers). One item per
 * resource: a newer wait replaces the older one.
 */
export const RECOVERY_WAIT_KEY_PREFIX = 'RECOVERY-WAIT#';
export const recoveryWaitItemKey = (runbook: string, resourceId: string): string =>
  `${RECOVERY_WAIT_KEY_PREFIX}${runbook}:${resourceId}`;
