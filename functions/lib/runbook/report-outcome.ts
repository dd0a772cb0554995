import type { Alert } from '../core/alert.js';
import type { RunbookOutcomeAlertInput } from '../core/alerts/runbook-outcome-alert.js';
import {
  appendTimeline,
  holdsOpen,
  type Incident,
  type TimelineEntry,
  transition,
} from '../core/incident.js';
import type { AlertPublisher, Clock, IncidentStore, RecoveryTimer } from '../core/ports.js';
import { type EndedRun, promiseAfterRun } from '../core/recovery-checks.js';
import { RUNBOOKS, type RunbookOutcome } from '../core/runbook-registry.js';
import type { SignalKind } from '../core/signal.js';
import { approvalTimedOutEntry } from './approval-timeout.js';
import type { ReportEvent } from './events.js';
import { InvalidInputError } from './invalid-input.js';
import { ensureRunbookIncident, type RunbookRun, updateIncident } from './runbook-incident.js';

/** `renderRunbookOutcomeAlert` with the region (and guardrail path) already bound. */
export type RenderOutcomeAlert = (input: RunbookOutcomeAlertInput) => Alert;

export interface ReportDeps {
  readonly incidents: IncidentStore;
  readonly alerts: AlertPublisher;
  readonly render: RenderOutcomeAlert;
  readonly clock: Clock;
  /** Schedules the recovery check of an incident a run left open (EventBridge Scheduler). */
  readonly timer: RecoveryTimer;
}

export interface ReportResult {
  readonly incidentId: string;
  readonly outcome: RunbookOutcome;
  readonly incidentStatus: Incident['status'];
  readonly messageId: string | null;
}

const MAX_DETAIL = 500;

/** Lambda errors arrive as `Cause: '{"errorType":…,"errorMessage":…}'`: keep the message. */
const errorDetail = (error: ReportEvent['state']['error']): string => {
  if (error === undefined) return 'the run failed without an error (no detail recorded)';
  const name = error.Error ?? 'Error';
  let cause = error.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      cause = String(parsed.errorMessage);
    }
  } catch {
    // A plain-text cause (Fail states, SDK integrations) is used as it is.
  }
  return cause === '' ? name : `${name}: ${cause}`;
};

/** The run's one sentence: what the state machine said, or the error that ended it. */
export const outcomeDetail = (event: ReportEvent): string =>
  (event.detail ?? errorDetail(event.state.error)).slice(0, MAX_DETAIL);

/**
 * The timeline line for an outcome. The `runbook` entry's statuses (incident.ts) have no
 * skipped/refused: those are recorded as what they are, a decision not to act.
 */
export const outcomeTimelineEntry = (
  event: ReportEvent,
  detail: string,
  at: string,
): TimelineEntry => {
  const { runbook, outcome, execution } = event;
  if (outcome === 'skipped') {
    return { type: 'decision', at, action: 'ignore', runbook, reason: `skipped: ${detail}` };
  }
  if (outcome === 'refused') {
    const blockedBy = event.state.guardrail?.blockedBy;
    return {
      type: 'decision',
      at,
      action: 'notify',
      runbook,
      reason: `refused: ${detail}`,
      ...(blockedBy === undefined ? {} : { blockedBy }),
    };
  }
  return {
    type: 'runbook',
    at,
    runbook,
    executionName: execution.name,
    executionArn: execution.id,
    status: outcome,
    detail,
  };
};

const STATUS_AFTER: Partial<Record<RunbookOutcome, Incident['status']>> = {
  succeeded: 'resolved',
  failed: 'failed',
};

/**
 * Active parts a run that succeeded does not answer for: of a kind its runbook does not handle
 * (one AZ outage's incident: the database's failover is over, AWS Health's AZ issue is not).
 * They keep the incident open until their own recovery.
 */
const openElsewhere = (incident: Incident, runbook: string): number =>
  incident.parts.filter(
    (part) => part.state === 'active' && holdsOpen(part) && !handlesOf(runbook).includes(part.kind),
  ).length;

/** The status an outcome leads `incident` to, if it changes it. */
const statusAfter = (incident: Incident, event: ReportEvent): Incident['status'] | undefined =>
  event.outcome === 'succeeded' && openElsewhere(incident, event.runbook) > 0
    ? undefined
    : STATUS_AFTER[event.outcome];

/**
 * The outcome written into an incident: timeline lines (an unanswered approval first, when that
 * is why the run failed), then the status it leads to.
 */
const applyOutcome = (
  incident: Incident,
  event: ReportEvent,
  detail: string,
  now: Date,
): Incident => {
  const at = now.toISOString();
  const timedOut = approvalTimedOutEntry(event, at);
  const recorded = appendTimeline(
    incident,
    [...(timedOut === undefined ? [] : [timedOut]), outcomeTimelineEntry(event, detail, at)],
    now,
  );
  const to = statusAfter(incident, event);
  return to === undefined
    ? recorded
    : transition(recorded, to, `${event.runbook} ${event.outcome}`, now);
};

/** A retried report finds its own line already there. */
const alreadyReported = (incident: Incident, event: ReportEvent, detail: string): boolean =>
  incident.timeline.some((entry) => {
    if (entry.type === 'runbook') {
      return entry.executionName === event.execution.name && entry.status === event.outcome;
    }
    return (
      entry.type === 'decision' && entry.runbook === event.runbook && entry.reason.endsWith(detail)
    );
  });

const handlesOf = (runbook: string): readonly SignalKind[] =>
  RUNBOOKS.find((row) => row.name === runbook)?.handles ?? [];

const kindOf = (runbook: string): SignalKind => handlesOf(runbook)[0] ?? 'runbook-failure';

const utc = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** The run's incident; one it was given that does not exist is replaced by a manual record. */
const findIncident = async (deps: ReportDeps, run: RunbookRun): Promise<Incident> => {
  try {
    return await ensureRunbookIncident(deps.incidents, run, deps.clock);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return ensureRunbookIncident(deps.incidents, { ...run, incidentId: undefined }, deps.clock);
  }
};

/**
 * Records how a run ended and announces it: a timeline line on the incident (created if the
 * run failed before it had one), `succeeded` resolves it, `failed` fails it and pages; dry-run,
 * skipped and refused leave it open, say so, and schedule its recovery check (issue 11 §2: the
 * check escalates the incident if it is still open then). The alert goes out before the incident is
 * written: a failed write escalates and re-announces rather than staying silent.
 */
export const reportRunbookOutcome = async (
  event: ReportEvent,
  deps: ReportDeps,
): Promise<ReportResult> => {
  const now = deps.clock.now();
  const incident = await findIncident(deps, {
    runbook: event.runbook,
    kind: kindOf(event.runbook),
    target: event.target,
    execution: event.execution,
    incidentId: event.state.guardrail?.incidentId ?? event.state.incidentId,
    reason: event.state.reason,
  });
  const baseDetail = outcomeDetail(event);
  if (alreadyReported(incident, event, baseDetail)) {
    return {
      incidentId: incident.id,
      outcome: event.outcome,
      incidentStatus: incident.status,
      messageId: null,
    };
  }

  // A run that leaves its incident open promises a recovery check (none after succeeded, which
  // resolves it, or failed, which fails it and pages now).
  const run: EndedRun = { target: event.target, handles: handlesOf(event.runbook) };
  const withOutcome = (current: Incident): Incident => {
    const applied = applyOutcome(current, event, baseDetail, now);
    return promiseAfterRun(applied, run, now)?.incident ?? applied;
  };
  const outcomeApplied = withOutcome(incident);
  const promise = promiseAfterRun(applyOutcome(incident, event, baseDetail, now), run, now);
  const escalates =
    promise === undefined
      ? ''
      : ` Rebound escalates if it has not recovered by ${utc(promise.check.dueAt)}.`;
  const others = event.outcome === 'succeeded' ? openElsewhere(incident, event.runbook) : 0;
  const detail =
    statusAfter(incident, event) === undefined
      ? `${baseDetail}. Incident ${incident.id} stays ${outcomeApplied.status}` +
        `${others > 0 ? `: ${others} other part(s) still open` : ''}.${escalates}`
      : baseDetail;
  const page = event.outcome === 'failed';
  const alert = deps.render({
    incident: outcomeApplied,
    runbook: event.runbook,
    outcome: event.outcome,
    detail,
    ...(event.state.guardrail?.blockedBy === undefined
      ? {}
      : { blockedBy: event.state.guardrail.blockedBy }),
    ...(event.state.guardrail?.reason === undefined
      ? {}
      : { checkReason: event.state.guardrail.reason }),
    executionArn: event.execution.id,
    page,
  });
  const messageId = await deps.alerts.publish(alert);

  const alertEntry: TimelineEntry = {
    type: 'alert',
    at: now.toISOString(),
    severity: alert.severity,
    subject: alert.subject,
    sms: alert.sms !== null,
  };
  const stored = await updateIncident(deps.incidents, incident.id, (current) =>
    alreadyReported(current, event, baseDetail)
      ? current
      : {
          ...appendTimeline(withOutcome(current), [alertEntry], now),
          ...(alert.sms === null ? {} : { lastPagedAt: now.toISOString() }),
        },
  );
  // Scheduled once the promise is written: the check reads the incident as stored.
  const promised = stored.parts.find((part) => part.key === promise?.check.partKey);
  if (promise !== undefined && promised?.expectRecoveryBy === promise.check.dueAt) {
    await deps.timer.schedule(promise.check);
  }
  return {
    incidentId: incident.id,
    outcome: event.outcome,
    incidentStatus: stored.status,
    messageId: messageId ?? null,
  };
};
