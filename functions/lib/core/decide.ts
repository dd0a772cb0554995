import type { AlertKind } from './alert.js';
import type { Correlation } from './correlate.js';
import type { Decision } from './decision.js';
import { type Staleness, stalenessOf } from './freshness.js';
import { type Guardrails, guardrailParameterPath, type ParsedGuardrails } from './guardrails.js';
import {
  holdsOpen,
  type Incident,
  informingParts,
  isActive,
  PENDING_EXECUTION,
  pageDue,
} from './incident.js';
import type { PolicyVerdict } from './policy.js';
import type { LedgerVerdict } from './ports.js';
import { type BlockedBy, runbookDefinition, runbookExecutionName } from './runbook-registry.js';
import type { Signal } from './signal.js';

/**
 * Decide: from the correlation, the policy verdict, the guardrails and the incident's history
 * to one decision with a human-readable reason, plus what to start and what to announce. Pure.
 */

/** Updates to an incident that already alerted are batched: at most one email per this many minutes. */
export const ALERT_BATCH_MINUTES = 10;

export interface RunbookPlan {
  readonly runbook: string;
  readonly executionName: string;
  readonly input: Readonly<Record<string, string>>;
}

export interface AlertPlan {
  readonly kind: AlertKind;
  /** Send the SMS too (critical, and this incident has not paged yet). */
  readonly page: boolean;
}

export interface Plan {
  readonly decision: Decision;
  readonly runbook?: RunbookPlan;
  readonly alert?: AlertPlan;
}

export interface DecideInput {
  readonly signal: Signal;
  readonly correlation: Correlation;
  /** The policy row's verdict for the signal (problems only). */
  readonly verdict?: PolicyVerdict;
  readonly guardrails: ParsedGuardrails;
  readonly stage: string;
  /** The ledger's peek at the runbook's budget and the target's cooldown. */
  readonly ledger?: LedgerVerdict;
  readonly now: Date;
  /** False only in the offline replay: its events are live at their own time (freshness.ts). */
  readonly checkEventAge?: boolean;
}

const lastAlertAt = (incident: Incident): number | undefined => {
  const alerts = incident.timeline.filter((entry) => entry.type === 'alert');
  const last = alerts[alerts.length - 1];
  return last === undefined ? undefined : Date.parse(last.at);
};

const mayPage = (incident: Incident, signal: Signal): boolean => pageDue(incident, signal.severity);

const openParts = (incident: Incident) =>
  incident.parts.filter((part) => part.state === 'active').length;

/** One alert per incident, then batched updates: due when the last alert is old enough. */
const updateDue = (incident: Incident, now: Date): boolean => {
  const last = lastAlertAt(incident);
  return last === undefined || now.getTime() - last >= ALERT_BATCH_MINUTES * 60_000;
};

const guardrailProblems = (guardrails: ParsedGuardrails): string =>
  guardrails.problems.length === 0 ? '' : ` Guardrail problems: ${guardrails.problems.join('; ')}.`;

/**
 * The run of `verdict` for `incident`: one execution name per incident and target. The mode is
 * read here, not by the run: a run acts unless its input asks for a dry run, as a run started by
 * hand does (functions/lib/runbook/check.ts).
 */
const runbookPlan = (
  verdict: Extract<PolicyVerdict, { action: 'runbook' }>,
  incident: Incident,
  dryRun: boolean,
): RunbookPlan => ({
  runbook: verdict.runbook,
  executionName: runbookExecutionName(incident.id, verdict.targetId),
  input: { ...verdict.input, incidentId: incident.id, ...(dryRun ? { dryRun: 'true' } : {}) },
});

/**
 * Whether the run will wait for a person: its registry row asks, the guardrails do not
 * auto-approve it, and it does more than follow AWS's own recovery (`mode: follow` never asks).
 */
const awaitsApproval = (
  verdict: Extract<PolicyVerdict, { action: 'runbook' }>,
  guardrails: Guardrails,
): boolean =>
  runbookDefinition(verdict.runbook)?.needsApproval === true &&
  !guardrails.autoApprovedRunbooks.includes(verdict.runbook) &&
  verdict.input.mode !== 'follow';

/** A runbook verdict through the guardrails: start it, start it in dry-run, or say what stopped it. */
const gate = (
  verdict: Extract<PolicyVerdict, { action: 'runbook' }>,
  input: Pick<DecideInput, 'guardrails' | 'stage' | 'ledger'>,
  incident: Incident,
): Pick<Plan, 'decision' | 'runbook'> => {
  const { guardrails } = input.guardrails;
  const path = guardrailParameterPath(input.stage);
  const blocked = (blockedBy: BlockedBy, why: string): Pick<Plan, 'decision'> => ({
    decision: {
      action: 'notify',
      runbook: verdict.runbook,
      reason: `${verdict.reason} Not started: ${why}; a person must act.${guardrailProblems(input.guardrails)}`,
      blockedBy,
    },
  });
  if (guardrails.mode === 'off') {
    return blocked('mode-off', `automation is off (${path}mode = off)`);
  }
  if (!guardrails.enabledRunbooks.includes(verdict.runbook)) {
    return blocked('runbook-disabled', `${verdict.runbook} is not in ${path}enabled-runbooks`);
  }
  if (input.ledger !== undefined && !input.ledger.allowed) {
    return blocked(input.ledger.blockedBy, input.ledger.reason);
  }
  const dryRun =
    guardrails.mode === 'dry-run'
      ? ` Dry-run mode (${path}mode): the runbook checks and reports but changes nothing.`
      : '';
  const startsAs =
    guardrails.mode === 'dry-run'
      ? 'dry-run'
      : awaitsApproval(verdict, guardrails)
        ? 'approval'
        : undefined;
  return {
    decision: {
      action: 'runbook',
      runbook: verdict.runbook,
      reason: `${verdict.reason}${dryRun}${guardrailProblems(input.guardrails)}`,
      ...(startsAs === undefined ? {} : { startsAs }),
    },
    runbook: runbookPlan(verdict, incident, startsAs === 'dry-run'),
  };
};

/** What the incident records of the run `verdict` asks for: nothing, the intent, or the run. */
const recordedRun = (
  incident: Incident,
  verdict: Extract<PolicyVerdict, { action: 'runbook' }>,
): 'none' | 'pending' | 'started' => {
  const name = runbookExecutionName(incident.id, verdict.targetId);
  if (!Object.hasOwn(incident.runbookExecutions, name)) return 'none';
  return incident.runbookExecutions[name] === PENDING_EXECUTION ? 'pending' : 'started';
};

/**
 * The start an earlier attempt decided and recorded but did not finish recording (a crash or a
 * failed write after StartExecution, or before it): start again with the same name, without
 * asking the ledger again, since the run itself may hold the cooldown by now. Step Functions
 * runs one execution per name, so this start is a no-op when the first one went through.
 */
const resumeStart = (
  verdict: Extract<PolicyVerdict, { action: 'runbook' }>,
  incident: Incident,
  guardrails: Guardrails,
): Pick<Plan, 'decision' | 'runbook'> => {
  // The same input as the first attempt (same mode), or Step Functions refuses the same name.
  const dryRun = guardrails.mode === 'dry-run';
  return {
    decision: {
      action: 'runbook',
      runbook: verdict.runbook,
      reason: `${verdict.reason} Start recorded earlier but not confirmed: started again under the same execution name (a no-op if it already runs).`,
      ...(dryRun ? { startsAs: 'dry-run' as const } : {}),
    },
    runbook: runbookPlan(verdict, incident, dryRun),
  };
};

/** The decision for a signal that joined an active incident. */
const decideJoined = (
  input: DecideInput,
  correlation: Extract<Correlation, { type: 'joined' }>,
): Plan => {
  const { incident, change } = correlation;
  const { signal, verdict, now } = input;
  const part = `part ${signal.partKey}`;

  if (change === 'resolved') {
    if (incident.status === 'resolved') {
      const minutes = Math.round((now.getTime() - Date.parse(incident.openedAt)) / 60_000);
      const informing = informingParts(incident);
      const which =
        informing === 0
          ? 'Every part'
          : `Every part that may act (${informing} from alarms that only inform stay in ALARM and do not hold it open)`;
      return {
        decision: {
          action: 'resolve',
          runbook: null,
          reason: `${which} of incident ${incident.id} has recovered (${part} last), ${minutes} min after it opened.`,
        },
        alert: { kind: 'incident-resolved', page: false },
      };
    }
    return {
      decision: {
        action: 'suppress',
        runbook: null,
        reason: `${part} recovered; incident ${incident.id} still has ${openParts(incident)} open part(s).`,
      },
    };
  }
  if (change === 'noted') {
    // A recovery AWS completed by itself (an ElastiCache failover) still gets its run that
    // verifies it, once per incident, when it joins an incident rather than opening its own.
    if (signal.phase === 'info' && verdict?.action === 'runbook') {
      const recorded = recordedRun(incident, verdict);
      if (recorded === 'pending')
        return resumeStart(verdict, incident, input.guardrails.guardrails);
      if (recorded === 'none') return gate(verdict, input, incident);
    }
    return {
      decision: {
        action: 'suppress',
        runbook: null,
        reason: `Informational: recorded in the timeline of incident ${incident.id}.`,
      },
    };
  }
  // A repeat of a known part whose incident never announced itself: the first alert failed to
  // go out (or the runbook start before it failed) and the invocation is being retried.
  const unannounced =
    change === 'duplicate' && !incident.timeline.some((entry) => entry.type === 'alert');
  const page = mayPage(incident, signal);
  // The first problem that may act in an incident so far of signals that only inform is news.
  const firstThatActs =
    signal.untrusted === undefined && !correlation.previous.parts.some(holdsOpen);
  // A problem that reopened an incident resolved moments ago (correlate.ts, same AZ) is news.
  const reopened = change === 'opened' && !isActive(correlation.previous.status);
  const alert: Pick<Plan, 'alert'> = unannounced
    ? { alert: { kind: 'incident-opened', page } }
    : change === 'opened' &&
        (page || firstThatActs || reopened || updateDue(correlation.previous, now))
      ? { alert: { kind: 'incident-update', page } }
      : {};
  // A new part opened, or a repeat of a known one: start a runbook not yet started for it
  // (also after a crash between recording and starting), otherwise group it. Updates are
  // batched either way: a storm of new parts must not become a storm of emails.
  if (verdict?.action === 'runbook') {
    const recorded = recordedRun(incident, verdict);
    if (recorded === 'pending') {
      return { ...resumeStart(verdict, incident, input.guardrails.guardrails), ...alert };
    }
    if (recorded === 'none') return { ...gate(verdict, input, incident), ...alert };
  }
  if (change === 'duplicate') {
    return {
      ...alert,
      decision: {
        action: 'suppress',
        runbook: null,
        reason: `Already handled: ${part} is already active in incident ${incident.id} (repeated or redelivered signal).`,
      },
    };
  }
  const grouped = reopened
    ? `Reopened incident ${incident.id} (${openParts(incident)} open parts): it resolved moments ago in the same AZ (${signal.availabilityZone}), so this is another part of the same outage.`
    : `Grouped into incident ${incident.id} (${openParts(incident)} open parts): same resource or AZ within the correlation window.`;
  const reason = `${grouped}${verdict === undefined ? '' : ` ${verdict.reason}`}`;
  return { decision: { action: 'suppress', runbook: null, reason }, ...alert };
};

/**
 * The plan of a signal that may not act (replayed, too old or untrusted): the same record and
 * alert, without the run and without the page, and the decision says why. An untrusted signal
 * says why even when it wanted nothing: a rejection is never silent.
 */
const heldBack = (plan: Plan, staleness: Staleness): Plan => {
  const { decision } = plan;
  const acts = plan.runbook !== undefined || plan.alert?.page === true;
  if (!acts && staleness.heldBack !== 'untrusted') return plan;
  const wanted = plan.runbook === undefined ? '' : ` Not started: ${plan.runbook.runbook}.`;
  return {
    decision: {
      action: plan.runbook === undefined ? decision.action : 'notify',
      runbook: decision.runbook,
      reason: `${decision.reason}${wanted} Recorded only, no runbook and no page: ${staleness.why}.`,
      ...(decision.blockedBy === undefined ? {} : { blockedBy: decision.blockedBy }),
      heldBack: staleness.heldBack,
    },
    ...(plan.alert === undefined ? {} : { alert: { ...plan.alert, page: false } }),
  };
};

const decideLive = (input: DecideInput): Plan => {
  const { signal, correlation, verdict } = input;
  switch (correlation.type) {
    case 'unmatched':
      return {
        decision: {
          action: 'ignore',
          runbook: null,
          reason:
            signal.phase === 'recovered'
              ? `Recovery of ${signal.partKey} with no active incident: nothing to resolve.`
              : `Informational (${signal.summary}); no active incident to add it to.`,
        },
      };
    case 'joined':
      return decideJoined(input, correlation);
    case 'opened': {
      const { incident } = correlation;
      const alert: AlertPlan = { kind: 'incident-opened', page: mayPage(incident, signal) };
      // A recovery AWS completed by itself (an ElastiCache failover) may still get a runbook
      // that verifies it; it never pages.
      const recoveredByAws = signal.phase !== 'problem';
      if (verdict?.action === 'runbook') {
        return {
          ...gate(verdict, input, incident),
          alert: recoveredByAws ? { ...alert, page: false } : alert,
        };
      }
      if (verdict === undefined || recoveredByAws) {
        return {
          decision: {
            action: 'notify',
            runbook: null,
            reason: `AWS already recovered this by itself; recorded as incident ${incident.id}.`,
          },
          alert: { ...alert, page: false },
        };
      }
      return {
        decision: { action: 'notify', runbook: null, reason: verdict.reason },
        alert,
      };
    }
  }
};

/** Why the signal may not act: it is not the shop's own (classification), or not live. */
const holdBackOf = (input: DecideInput): Staleness | undefined =>
  input.signal.untrusted === undefined
    ? stalenessOf(input.signal, input.now, input.checkEventAge ?? true)
    : { heldBack: 'untrusted', why: input.signal.untrusted };

export const decide = (input: DecideInput): Plan => {
  const plan = decideLive(input);
  const holdBack = holdBackOf(input);
  return holdBack === undefined ? plan : heldBack(plan, holdBack);
};

export interface StalledInput extends Pick<DecideInput, 'guardrails' | 'stage' | 'ledger'> {
  readonly incident: Incident;
  /** The policy's verdict for the stalled part as a problem nobody heals by itself any more. */
  readonly verdict: PolicyVerdict;
  /** What was promised and broken, for people: "i-0abc was to recover by 03:19 UTC". */
  readonly broken: string;
}

/**
 * The decision when a recovery check finds its promise broken (the part still active at its
 * `expectRecoveryBy`, or the incident still open after a run ended): start the runbook that fits
 * when one does, has not run for it and the guardrails allow; otherwise escalate, with a page.
 */
export const decideStalled = (input: StalledInput): Plan => {
  const { incident, verdict, broken } = input;
  let why = verdict.action === 'notify' ? verdict.reason : `${verdict.runbook} already ran for it.`;
  let blockedBy: BlockedBy | undefined;
  if (verdict.action === 'runbook' && recordedRun(incident, verdict) === 'none') {
    const gated = gate(verdict, input, incident);
    if (gated.runbook !== undefined) {
      return {
        ...gated,
        decision: { ...gated.decision, reason: `${broken} ${gated.decision.reason}` },
        alert: { kind: 'incident-update', page: false },
      };
    }
    why = gated.decision.reason;
    blockedBy = gated.decision.blockedBy;
  }
  return {
    decision: {
      action: 'notify',
      runbook: verdict.action === 'runbook' ? verdict.runbook : null,
      reason: `${broken} Escalated: a person must act. ${why}`,
      ...(blockedBy === undefined ? {} : { blockedBy }),
    },
    alert: { kind: 'escalation', page: true },
  };
};
