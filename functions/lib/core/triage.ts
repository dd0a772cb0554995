import { actionRequestFor } from './action-request.js';
import type { Alert } from './alert.js';
import { renderTriageAlert } from './alerts/triage-alert.js';
import { correlate, searchKeysOf, signalEntry } from './correlate.js';
import { decide, type Plan } from './decide.js';
import { type Decision, decisionEntry } from './decision.js';
import { stalenessOf } from './freshness.js';
import { guardrailParameterPath, type ParsedGuardrails } from './guardrails.js';
import {
  appendTimeline,
  type Incident,
  isActive,
  PENDING_EXECUTION,
  releasePageClaim,
  type TimelineEntry,
  transition,
} from './incident.js';
import { policyFor, RECORDED_INFO_KINDS } from './policy.js';
import {
  type ActionLedger,
  type AlertPublisher,
  type Clock,
  IncidentConflictError,
  type IncidentStore,
  type LedgerVerdict,
  type RecoveryTimer,
  type ResourceEnricher,
  type RunbookStarter,
  type RunbookStartResult,
  type ZoneLocator,
} from './ports.js';
import { keepPromises } from './recovery-checks.js';
import { executionNameOf, incidentIdOfRun, planRunEnd } from './run-ended.js';
import type { Signal } from './signal.js';
import { inZone, zoneQuestionOf } from './zone-questions.js';

/**
 * The triage pipeline after classification: correlate the signal into an incident, decide,
 * record, start the runbook, alert, record what was done. The same code runs in Lambda (AWS
 * adapters) and in the offline replay (in-memory adapters).
 */

export interface TriageDeps {
  readonly stage: string;
  readonly region: string;
  readonly store: IncidentStore;
  readonly ledger: ActionLedger;
  readonly guardrails: () => Promise<ParsedGuardrails>;
  readonly runbooks: RunbookStarter;
  readonly alerts: AlertPublisher;
  /** Live resource state for alerts; absent offline. */
  readonly enricher?: ResourceEnricher;
  /** Places signals whose event names no AZ (zone-questions.ts); absent offline. */
  readonly zones?: ZoneLocator;
  /** Schedules the check of every promised recovery; absent offline (nothing comes back). */
  readonly timer?: RecoveryTimer;
  readonly clock: Clock;
  /**
   * The offline replay delivers each event as if live at its own time, samples years old
   * included: it sets this false so the age check (freshness.ts) does not hold them back.
   */
  readonly checkEventAge?: boolean;
}

export interface TriageOutcome {
  readonly signal: Signal | null;
  readonly incident: Incident | null;
  readonly decision: Decision;
  readonly alert: Alert | null;
  readonly execution?: RunbookStartResult & { readonly executionName: string };
}

/**
 * Conditional writes that lose a race are retried on fresh data this many times, after a
 * random pause (exponential backoff, full jitter) so that racing writers spread out instead of
 * colliding again in lockstep (an alarm storm delivers hundreds of signals for one incident at
 * once). Worst case about 3 s of pauses in all, well inside the function's timeout.
 */
const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 25;
const BACKOFF_CAP_MS = 800;

/** Throws `error` unless it is a lost race worth another attempt; then pauses before it. */
const backOffOrThrow = async (error: unknown, attempt: number): Promise<void> => {
  if (!(error instanceof IncidentConflictError) || attempt >= MAX_ATTEMPTS) throw error;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
};

const NOT_OURS: Decision = {
  action: 'ignore',
  runbook: null,
  reason: 'Not about the shop, or nothing to act on (classification found no signal).',
};

interface Recorded {
  readonly plan: Plan;
  readonly incident: Incident | null;
}

/** Correlate, decide and store, retrying on conflicting concurrent writes. */
const recordDecision = async (
  signal: Signal,
  deps: TriageDeps,
  guardrails: ParsedGuardrails,
  now: Date,
): Promise<Recorded> => {
  const verdict =
    signal.phase === 'problem' || RECORDED_INFO_KINDS.includes(signal.kind)
      ? policyFor(signal)
      : undefined;
  for (let attempt = 1; ; attempt += 1) {
    const candidates = await deps.store.findActive(searchKeysOf(signal));
    const correlation = correlate(signal, candidates, now, {
      recordUnmatchedInfo: RECORDED_INFO_KINDS.includes(signal.kind),
    });
    const request =
      verdict?.action === 'runbook' && correlation.type !== 'unmatched'
        ? actionRequestFor(verdict.runbook, verdict.targetId, guardrails.guardrails)
        : undefined;
    const ledger: LedgerVerdict | undefined =
      request === undefined ? undefined : await deps.ledger.peek(request, now);
    const plan = decide({
      signal,
      correlation,
      verdict,
      guardrails,
      stage: deps.stage,
      ledger,
      now,
      checkEventAge: deps.checkEventAge ?? true,
    });
    if (correlation.type === 'unmatched') return { plan, incident: null };

    const unchanged = correlation.type === 'joined' && correlation.change === 'duplicate';
    // A page with nothing to start is claimed in this very write (see `claimPage`).
    const claimsPage = plan.alert?.page === true && plan.runbook === undefined;
    if (unchanged && plan.runbook === undefined && !claimsPage) {
      return { plan, incident: correlation.incident };
    }

    const { decision } = plan;
    let incident =
      unchanged && plan.runbook === undefined
        ? correlation.incident
        : appendTimeline(correlation.incident, [decisionEntry(decision, now)], now);
    if (unchanged) incident = { ...incident, version: incident.version + 1 };
    if (plan.runbook !== undefined) {
      // The intent, before StartExecution: a retry resumes this start (decide.ts, resumeStart).
      incident = {
        ...incident,
        runbookExecutions: {
          ...incident.runbookExecutions,
          [plan.runbook.executionName]: PENDING_EXECUTION,
        },
      };
      if (incident.status === 'open') {
        incident = transition(
          incident,
          'mitigating',
          `runbook ${plan.runbook.runbook} started`,
          now,
        );
      }
    }
    if (claimsPage) incident = { ...incident, lastPagedAt: now.toISOString() };
    try {
      for (const released of correlation.released ?? []) await deps.store.update(released);
      if (correlation.type === 'opened') await deps.store.create(incident);
      else await deps.store.update(incident);
      return { plan, incident };
    } catch (error) {
      await backOffOrThrow(error, attempt);
    }
  }
};

/** Applies `effects` to the freshest stored copy, retrying on conflicts. */
const recordEffects = async (
  deps: TriageDeps,
  incident: Incident,
  effects: (fresh: Incident) => Incident,
): Promise<Incident> => {
  let current = incident;
  for (let attempt = 1; ; attempt += 1) {
    const next = { ...effects(current), version: current.version + 1 };
    try {
      await deps.store.update(next);
      return next;
    } catch (error) {
      await backOffOrThrow(error, attempt);
      current = (await deps.store.get(incident.id)) ?? current;
    }
  }
};

type Execution = NonNullable<TriageOutcome['execution']>;

/** `fresh` with `entries` on its timeline and the started execution's ARN in place of the intent. */
const withEffects = (
  fresh: Incident,
  entries: readonly TimelineEntry[],
  execution: Execution | undefined,
  now: Date,
): Incident => ({
  ...appendTimeline(fresh, entries, now),
  ...(execution === undefined
    ? {}
    : {
        runbookExecutions: {
          ...fresh.runbookExecutions,
          [execution.executionName]: execution.executionArn,
        },
      }),
});

/**
 * Records `lastPagedAt` (with the effects so far) before the page is published, so that a retry
 * after a crash or a failed write never pages a second time: one page per incident, at most.
 * Returns the stored incident and whether this invocation owns the page (a concurrent one may
 * have claimed it first).
 */
const claimPage = async (
  deps: TriageDeps,
  incident: Incident,
  entries: readonly TimelineEntry[],
  execution: Execution | undefined,
  now: Date,
): Promise<{ readonly incident: Incident; readonly page: boolean }> => {
  let page = false;
  const stored = await recordEffects(deps, incident, (fresh) => {
    page = fresh.lastPagedAt === undefined;
    const next = withEffects(fresh, entries, execution, now);
    return page ? { ...next, lastPagedAt: now.toISOString() } : next;
  });
  return { incident: stored, page };
};

/** Gives a page claimed by this invocation back when its publish failed, so the retry pages. */
const releasePage = async (deps: TriageDeps, incident: Incident, now: Date): Promise<void> => {
  await recordEffects(deps, incident, (fresh) => releasePageClaim(fresh, now.toISOString()));
};

/**
 * A run's end recorded on the incident the run worked for (run-ended.ts), not in an incident of
 * its own: nothing more when the run escalated itself, else the incident fails with the page an
 * escalation always has (claimed in the same write as the decision). Undefined when the run
 * names no incident that exists: the signal is then triaged as any other.
 */
const triageRunEnd = async (
  signal: Signal,
  deps: TriageDeps,
  now: Date,
): Promise<TriageOutcome | undefined> => {
  const id = incidentIdOfRun(executionNameOf(signal));
  if (id === undefined) return undefined;
  for (let attempt = 1; ; attempt += 1) {
    const incident = await deps.store.get(id);
    if (incident === undefined) return undefined;
    const plan = planRunEnd(incident, signal);
    const line = incident.timeline.findIndex(
      (entry) => entry.type === 'signal' && entry.eventId === signal.source.eventId,
    );
    if (line >= 0) {
      // Redelivered: done, unless the escalation's alert never went out (a failed publish).
      const alerted = incident.timeline.slice(line).some((entry) => entry.type === 'alert');
      if (alerted || plan.alert === undefined) {
        return { signal, incident, decision: plan.decision, alert: null };
      }
      return carryOut(signal, plan, incident, deps, now);
    }
    let next = appendTimeline(
      incident,
      [signalEntry(signal, now), decisionEntry(plan.decision, now)],
      now,
    );
    if (plan.alert !== undefined) {
      const failed = isActive(next.status)
        ? transition(next, 'failed', `${signal.summary} without escalating`, now)
        : next;
      next = { ...failed, lastPagedAt: now.toISOString() };
    }
    next = { ...next, version: incident.version + 1 };
    try {
      await deps.store.update(next);
    } catch (error) {
      await backOffOrThrow(error, attempt);
      continue;
    }
    return plan.alert === undefined
      ? { signal, incident: next, decision: plan.decision, alert: null }
      : carryOut(signal, plan, next, deps, now);
  }
};

/**
 * Triage one classified signal (null: the event was not the shop's). Throws only when AWS I/O
 * fails (the invocation is then retried; idempotency, correlation and the recorded intent make
 * the retry safe). Order of writes: the decision with the intent to start (and, with nothing to
 * start, the page claim); StartExecution; the execution and the page claim; the alert; the alert
 * line; the recovery check.
 */
export const triageSignal = async (
  classified: Signal | null,
  deps: TriageDeps,
): Promise<TriageOutcome> => {
  if (classified === null) return { signal: null, incident: null, decision: NOT_OURS, alert: null };
  const question = zoneQuestionOf(classified);
  const signal =
    question === undefined || deps.zones === undefined
      ? classified
      : inZone(classified, await deps.zones.locate(question));
  const now = deps.clock.now();
  // A replayed or stale run end pages nobody: decide's usual hold-back handles it.
  const live =
    signal.untrusted === undefined &&
    stalenessOf(signal, now, deps.checkEventAge ?? true) === undefined;
  const runEnd =
    signal.kind === 'runbook-failure' && live ? await triageRunEnd(signal, deps, now) : undefined;
  if (runEnd !== undefined) return runEnd;
  const guardrails = await deps.guardrails();
  const { plan, incident } = await recordDecision(signal, deps, guardrails, now);
  if (incident === null) return { signal, incident, decision: plan.decision, alert: null };
  const outcome = await carryOut(signal, plan, incident, deps, now);
  // After the alert: scheduling the check changes nothing in it (the promised time is the part's,
  // recorded above), and the first alert does not wait for Scheduler's client to load (issue 13).
  // A failed schedule still fails the invocation: its retry schedules again (idempotent by name).
  await keepPromises(deps.timer, incident, signal, now);
  return outcome;
};

/**
 * Starts the planned runbook and sends the planned alert for a decision already recorded on
 * `recorded`, then records what was done (see triageSignal for the order of writes).
 */
export const carryOut = async (
  signal: Signal,
  plan: Plan,
  recorded: Incident,
  deps: TriageDeps,
  now: Date,
): Promise<TriageOutcome> => {
  let incident = recorded;
  let entries: TimelineEntry[] = [];
  let execution: Execution | undefined;
  if (plan.runbook !== undefined) {
    const { runbook, executionName, input } = plan.runbook;
    const started = await deps.runbooks.start(runbook, executionName, input);
    execution = { ...started, executionName };
    entries.push({
      type: 'runbook',
      at: now.toISOString(),
      runbook,
      executionName,
      status: started.status,
      executionArn: started.executionArn,
    });
  }
  /** The execution whose ARN is still to be recorded. */
  let unrecorded = execution;

  let alert: Alert | null = null;
  if (plan.alert !== undefined) {
    // With nothing started, recordDecision claimed the page already.
    let page = plan.alert.page && plan.runbook === undefined;
    if (plan.alert.page && plan.runbook !== undefined) {
      ({ incident, page } = await claimPage(deps, incident, entries, unrecorded, now));
      entries = [];
      unrecorded = undefined;
    }
    const resourceState = await deps.enricher?.describe(signal.resource);
    alert = renderTriageAlert(
      {
        incident,
        signal,
        decision: plan.decision,
        page,
        kind: plan.alert.kind,
        ...(resourceState === undefined ? {} : { resourceState }),
        ...(execution === undefined ? {} : { executionArn: execution.executionArn }),
        ...(plan.runbook === undefined ? {} : { runbookInput: plan.runbook.input }),
      },
      deps.region,
      { guardrailPath: guardrailParameterPath(deps.stage), stage: deps.stage },
    );
    try {
      await deps.alerts.publish(alert);
    } catch (error) {
      if (page) await releasePage(deps, incident, now);
      throw error;
    }
    entries.push({
      type: 'alert',
      at: now.toISOString(),
      severity: alert.severity,
      subject: alert.subject,
      sms: alert.sms !== null,
    });
  }
  if (entries.length > 0 || unrecorded !== undefined) {
    const effects = entries;
    const pending = unrecorded;
    incident = await recordEffects(deps, incident, (fresh) =>
      withEffects(fresh, effects, pending, now),
    );
  }
  return {
    signal,
    incident,
    decision: plan.decision,
    alert,
    ...(execution === undefined ? {} : { execution }),
  };
};
