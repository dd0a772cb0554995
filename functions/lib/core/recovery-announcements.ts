import type { TaskAnswerer } from '../approval/ports.js';
import type { RunbookName } from './runbook-registry.js';
import type { Signal } from './signal.js';

/**
 * Where AWS announces a recovery, the run that follows it waits for the announcement instead of
 * polling blind: its verify loop stores a task token per resource (runbooks/kit/verify-loop.ts)
 * and waits at most one poll interval for it; triage answers the token when the announcing event
 * arrives, so the run checks within seconds of the event. The answer carries no authority: the
 * run's verify reads the live state whatever the event said.
 */

/** The runbooks whose recovery AWS announces: their runs wait for triage's answer. */
export const ANNOUNCED_RECOVERY_RUNBOOKS = [
  'rds-failover',
  'cache-failover',
  'az-evacuation',
] as const satisfies readonly RunbookName[];

/** The wait an announcing signal ends: which runbook's run, on which resource. */
export interface RecoveryWait {
  readonly runbook: (typeof ANNOUNCED_RECOVERY_RUNBOOKS)[number];
  readonly resourceId: string;
}

/**
 * The run waiting for what `signal` announces, if any:
 * - the end of an RDS Multi-AZ failover of the instance (RDS-EVENT-0049 "Multi-AZ failover
 *   completed", and 0015/0065, which also end one: classify-rds.ts), for rds-failover;
 * - `ElastiCache:FailoverComplete` of the replication group (its SNS notification), for
 *   cache-failover;
 * - the AWS Health event of an AZ impairment closing (`statusCode` `closed`), for az-evacuation.
 * A replayed event announces nothing: it is not news about now.
 */
export const recoveryWaitEndedBy = (signal: Signal): RecoveryWait | undefined => {
  if (signal.source.replayName !== undefined) return undefined;
  const { kind, phase, resource } = signal;
  if (kind === 'database-failover' && phase === 'recovered' && resource.type === 'db-instance') {
    return { runbook: 'rds-failover', resourceId: resource.id };
  }
  if (kind === 'cache-failover' && resource.type === 'cache-replication-group') {
    return { runbook: 'cache-failover', resourceId: resource.id };
  }
  if (kind === 'az-impairment' && phase === 'recovered' && signal.availabilityZone !== undefined) {
    return { runbook: 'az-evacuation', resourceId: signal.availabilityZone };
  }
  return undefined;
};

/** Where waiting runs leave their task token (the incident table, dynamodb-recovery-waits.ts). */
export interface RecoveryWaitStore {
  /** Removes and returns the token waiting on `wait`; undefined when none waits. */
  take(wait: RecoveryWait): Promise<string | undefined>;
}

export interface RecoveryAnnouncementDeps {
  readonly waits: RecoveryWaitStore;
  readonly answerer: TaskAnswerer;
}

/** What answering a signal's announcement did, for the log. */
export type AnnouncementOutcome =
  /** The signal announces no recovery a run waits for. */
  | 'not-announcing'
  /** No run waits now (it has not reached its wait, it polled already, or it is over). */
  | 'no-wait'
  | 'answered'
  /** A token was stored but its task no longer waits (timed out into its poll, run ended). */
  | 'gone'
  /** Storing or answering failed; the waiting run finds the recovery by its poll. */
  | { readonly failed: string };

/**
 * Answers the run waiting for what `signal` announces. Never throws: the event's own processing
 * must not fail for it, and the run's poll is the fallback. Idempotent: the token is taken
 * (removed) before it is answered, so a duplicate event finds none; a stale token is normal.
 */
export const answerRecoveryWait = async (
  signal: Signal | null,
  deps: RecoveryAnnouncementDeps,
): Promise<AnnouncementOutcome> => {
  const wait = signal === null ? undefined : recoveryWaitEndedBy(signal);
  if (signal === null || wait === undefined) return 'not-announcing';
  try {
    const token = await deps.waits.take(wait);
    if (token === undefined) return 'no-wait';
    const sent = await deps.answerer.succeed(token, {
      announcedBy: signal.source.eventId,
      summary: signal.summary,
    });
    return sent === 'sent' ? 'answered' : 'gone';
  } catch (error) {
    return { failed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};
