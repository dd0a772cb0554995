import { createHash } from 'node:crypto';
import type { Incident, IncidentPart } from './incident.js';
import type { RecoveryCheck, RecoveryTimer } from './ports.js';
import type { Signal } from './signal.js';

/**
 * The timers behind every "Rebound escalates if it has not recovered by HH:MM": which check an
 * incident needs, when, under which name, and which checks a recovery makes pointless. Pure but
 * for the timer calls. The check comes back to triage (stalled.ts) at its time.
 */

/**
 * `<incident id>-<8 hex>`: one check per incident and part, so scheduling twice is a no-op.
 * Fits a schedule name (1–64 of `[0-9a-zA-Z-_.]`).
 */
export const recoveryCheckName = (incidentId: string, partKey: string): string =>
  `${incidentId}-${createHash('sha256').update(partKey).digest('hex').slice(0, 8)}`;

/** The check of a part's promised recovery, at its `expectRecoveryBy`. */
export const partCheck = (
  incident: Incident,
  part: IncidentPart & { readonly expectRecoveryBy: string },
): RecoveryCheck => ({
  name: recoveryCheckName(incident.id, part.key),
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
