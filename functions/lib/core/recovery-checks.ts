import { createHash } from 'node:crypto';
import type { Incident, IncidentPart } from './incident.js';
import type { RecoveryCheck, RecoveryTimer } from './ports.js';
import type { ResourceRef, Signal, SignalKind } from './signal.js';

/**
 * The timers behind every "Rebound escalates if it has not recovered by HH:MM": which check an
 * incident needs, when, under which name, and which checks a recovery makes pointless. Pure but
 * for the timer calls. The check comes back to triage (stalled.ts) at its time.
 */

/**
 * `<incident id>-<8 hex>`: one check per incident, part and due time, so scheduling twice is a
 * no-op, and a part promised again later (reopened, or left open by a run) gets a check of its
 * own rather than one already handled. Fits a schedule name (1–64 of `[0-9a-zA-Z-_.]`).
 */
export const recoveryCheckName = (incidentId: string, partKey: string, dueAt: string): string =>
  `${incidentId}-${createHash('sha256').update(`${partKey}|${dueAt}`).digest('hex').slice(0, 8)}`;

/** The check of a part's promised recovery, at its `expectRecoveryBy`. */
export const partCheck = (
  incident: Incident,
  part: IncidentPart & { readonly expectRecoveryBy: string },
): RecoveryCheck => ({
  name: recoveryCheckName(incident.id, part.key, part.expectRecoveryBy),
  incidentId: incident.id,
  partKey: part.key,
  dueAt: part.expectRecoveryBy,
});

const promised = (part: IncidentPart): part is IncidentPart & { expectRecoveryBy: string } =>
  part.expectRecoveryBy !== undefined;

/**
 * After `signal` was recorded on `incident`: a problem whose part AWS promised to heal gets its
 * check (again on a retry: scheduling is idempotent; never for a time already past), and a
 * recovery that closed such a part cancels it.
 */
export const keepPromises = async (
  timer: RecoveryTimer | undefined,
  incident: Incident,
  signal: Signal,
  now: Date,
): Promise<void> => {
  const part = incident.parts.find((candidate) => candidate.key === signal.partKey);
  if (timer === undefined || part === undefined || !promised(part)) return;
  const check = partCheck(incident, part);
  if (
    signal.phase === 'problem' &&
    part.state === 'active' &&
    Date.parse(check.dueAt) > now.getTime()
  ) {
    await timer.schedule(check);
  } else if (signal.phase === 'recovered' && part.state === 'resolved') {
    await timer.cancel(check.name);
  }
};

/** How long a run that ended and left its incident open gives AWS or a person before the check. */
export const AFTER_RUN_CHECK_MINUTES = 30;

/** The run that ended: what it acted on and the kinds of problem it is for (registry `handles`). */
export interface EndedRun {
  readonly target: ResourceRef;
  readonly handles: readonly SignalKind[];
}

/**
 * A run ended (a dry run, skipped, refused, a person rejected it) and left `incident` open: the
 * part it was for is promised again, for {@link AFTER_RUN_CHECK_MINUTES} from `now`, and gets
 * its check, so a stalled incident escalates instead of staying open unnoticed. The part is the
 * active one on the run's target, else the first active one of a kind the runbook handles; a
 * run's own `manual:` part (a person started it and watches it) gets none. Nothing when the
 * incident is no longer open or mitigating (resolved; failed and escalated ones already paged),
 * or when the part already has a check to come.
 */
export const promiseAfterRun = (
  incident: Incident,
  run: EndedRun,
  now: Date,
): { readonly incident: Incident; readonly check: RecoveryCheck } | undefined => {
  if (incident.status !== 'open' && incident.status !== 'mitigating') return undefined;
  const active = incident.parts.filter(
    (part) => part.state === 'active' && !part.key.startsWith('manual:'),
  );
  const part =
    active.find(
      (candidate) =>
        candidate.resource.type === run.target.type && candidate.resource.id === run.target.id,
    ) ?? active.find((candidate) => run.handles.includes(candidate.kind));
  if (part === undefined) return undefined;
  if (part.expectRecoveryBy !== undefined && Date.parse(part.expectRecoveryBy) > now.getTime()) {
    return undefined;
  }
  const promised = {
    ...part,
    expectRecoveryBy: new Date(now.getTime() + AFTER_RUN_CHECK_MINUTES * 60_000).toISOString(),
  };
  return {
    incident: {
      ...incident,
      parts: incident.parts.map((candidate) => (candidate.key === part.key ? promised : candidate)),
    },
    check: partCheck(incident, promised),
  };
};
