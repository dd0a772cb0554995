import { actionRequestFor } from './action-request.js';
import { signalEntry } from './correlate.js';
import { decideStalled, type Plan } from './decide.js';
import { decisionEntry } from './decision.js';
import {
  appendTimeline,
  type Incident,
  type IncidentPart,
  isActive,
  PENDING_EXECUTION,
  transition,
} from './incident.js';
import { policyFor } from './policy.js';
import { IncidentConflictError, type RecoveryCheck } from './ports.js';
import type { Signal } from './signal.js';
import { carryOut, type TriageDeps, type TriageOutcome } from './triage.js';

/**
 * A recovery check comes back: the "stalled" signal. If the promise was kept (the part
 * recovered, the incident closed) nothing happens. Otherwise the stalled part is decided again as
 * a problem nobody heals by itself any more: the runbook that fits starts, or the incident is
 * escalated with a page.
 */

/** The check's part, while it is still active. */
const stalledPart = (incident: Incident, check: RecoveryCheck): IncidentPart | undefined =>
  incident.parts.find((part) => part.key === check.partKey && part.state === 'active');

/** Why the check finds nothing to do, or undefined when the promise is broken. */
const keptPromise = (incident: Incident | undefined, check: RecoveryCheck): string | undefined => {
  if (incident === undefined) return `Incident ${check.incidentId} no longer exists.`;
  if (handledAt(incident, check) !== undefined) {
    return `Recovery check ${check.name} was already handled.`;
  }
  if (!isActive(incident.status)) {
    return `Incident ${incident.id} is ${incident.status}: the recovery came in time.`;
  }
  if (stalledPart(incident, check) === undefined) {
    return `Part ${check.partKey} of incident ${incident.id} recovered in time.`;
  }
  return undefined;
};

/** Where the check's signal line is on the timeline, when it has one. */
const checkLine = (incident: Incident, check: RecoveryCheck): number =>
  incident.timeline.findIndex((entry) => entry.type === 'signal' && entry.eventId === check.name);

/** When the check was fully handled: its line, then an alert after it. */
const handledAt = (incident: Incident, check: RecoveryCheck): number | undefined => {
  const line = checkLine(incident, check);
  if (line < 0) return undefined;
  const alerted = incident.timeline.slice(line).some((entry) => entry.type === 'alert');
  return alerted ? line : undefined;
};

const utc = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** The stalled part as a problem of its own: critical, and no longer AWS's to heal. */
const stalledSignal = (
  part: IncidentPart,
  check: RecoveryCheck,
  deps: TriageDeps,
  now: Date,
): Signal => ({
  kind: part.kind,
  phase: 'problem',
  severity: 'critical',
  resource: part.resource,
  related: [],
  partKey: part.key,
  summary: `${part.resource.id}: not recovered by ${utc(check.dueAt)} as expected`,
  source: {
    eventId: check.name,
    source: 'rebound.recovery-check',
    detailType: 'Recovery Check Due',
    time: now.toISOString(),
    region: deps.region,
    account: '',
  },
});

const MAX_ATTEMPTS = 5;

/**
 * A check whose decision was recorded but whose alert never went out (the publish or a write
 * failed, the invocation is retried): the same plan again, from what the timeline says, so the
 * escalation is never lost. The page claim stays as recorded (released when a publish failed).
 */
const unfinished = (
  incident: Incident,
  check: RecoveryCheck,
  deps: TriageDeps,
  now: Date,
): { signal: Signal; plan: Plan; incident: Incident } | undefined => {
  const line = checkLine(incident, check);
  const decision = incident.timeline[line + 1];
  if (line < 0 || handledAt(incident, check) !== undefined || decision?.type !== 'decision') {
    return undefined;
  }
  const entry = incident.timeline[line];
  const part = incident.parts.find(
    (candidate) => entry?.type === 'signal' && candidate.key === entry.partKey,
  );
  if (part === undefined) return undefined;
  const signal = stalledSignal(part, check, deps, now);
  const verdict = policyFor(signal);
  const pending =
    verdict.action === 'runbook'
      ? Object.entries(incident.runbookExecutions).find(([, arn]) => arn === PENDING_EXECUTION)
      : undefined;
  const recorded = {
    action: decision.action,
    runbook: decision.runbook,
    reason: decision.reason,
    ...(decision.blockedBy === undefined ? {} : { blockedBy: decision.blockedBy }),
  };
  if (verdict.action === 'runbook' && pending !== undefined && decision.action === 'runbook') {
    return {
      signal,
      incident,
      plan: {
        decision: recorded,
        runbook: {
          runbook: verdict.runbook,
          executionName: pending[0],
          input: { ...verdict.input, incidentId: incident.id },
        },
        alert: { kind: 'incident-update', page: false },
      },
    };
  }
  return {
    signal,
    incident,
    plan: {
      decision: recorded,
      // A page released after a failed publish is claimed again (by the caller); one claimed
      // and then lost to a crash stays lost: at most one page.
      alert: { kind: 'escalation', page: incident.lastPagedAt === undefined },
    },
  };
};

/** Handles one due recovery check (see the module comment). Safe to deliver twice. */
export const triageRecoveryCheck = async (
  check: RecoveryCheck,
  deps: TriageDeps,
): Promise<TriageOutcome> => {
  const now = deps.clock.now();
  const guardrails = await deps.guardrails();
  for (let attempt = 1; ; attempt += 1) {
    const incident = await deps.store.get(check.incidentId);
    const resumed = incident === undefined ? undefined : unfinished(incident, check, deps, now);
    if (resumed !== undefined) {
      const { signal, plan } = resumed;
      let recorded = resumed.incident;
      if (plan.runbook === undefined && plan.alert?.page === true) {
        recorded = { ...recorded, lastPagedAt: now.toISOString(), version: recorded.version + 1 };
        await deps.store.update(recorded);
      }
      return carryOut(signal, plan, recorded, deps, now);
    }
    const kept = keptPromise(incident, check);
    const part = incident === undefined ? undefined : stalledPart(incident, check);
    if (kept !== undefined || incident === undefined || part === undefined) {
      return {
        signal: null,
        incident: incident ?? null,
        decision: { action: 'ignore', runbook: null, reason: kept ?? 'Nothing stalled.' },
        alert: null,
      };
    }
    const signal = stalledSignal(part, check, deps, now);
    const verdict = policyFor(signal);
    const request =
      verdict.action === 'runbook'
        ? actionRequestFor(verdict.runbook, verdict.targetId, guardrails.guardrails)
        : undefined;
    const plan: Plan = decideStalled({
      incident,
      verdict,
      guardrails,
      stage: deps.stage,
      ...(request === undefined ? {} : { ledger: await deps.ledger.peek(request, now) }),
      broken: `${signal.summary}.`,
    });
    const { decision } = plan;
    let next = appendTimeline(
      incident,
      [signalEntry(signal, now), decisionEntry(decision, now)],
      now,
    );
    if (plan.runbook === undefined) {
      // An escalation pages whatever paged before; the claim is written with the decision.
      next = {
        ...transition(next, 'escalated', decision.reason, now),
        lastPagedAt: now.toISOString(),
      };
    } else {
      next = {
        ...transition(next, 'mitigating', `runbook ${plan.runbook.runbook} started`, now),
        runbookExecutions: {
          ...next.runbookExecutions,
          [plan.runbook.executionName]: PENDING_EXECUTION,
        },
      };
    }
    next = { ...next, version: incident.version + 1 };
    try {
      await deps.store.update(next);
    } catch (error) {
      if (!(error instanceof IncidentConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      continue;
    }
    return carryOut(signal, plan, next, deps, now);
  }
};
