import { actionRequestFor } from '../core/action-request.js';
import {
  GUARDRAIL_PARAMETERS,
  type Guardrails,
  type ParsedGuardrails,
} from '../core/guardrails.js';
import { transition } from '../core/incident.js';
import type { ActionLedger, Clock, IncidentStore } from '../core/ports.js';
import { type BlockedBy, type CheckVerdict, runbookDefinition } from '../core/runbook-registry.js';

import { ensureRunbookIncident, type RunbookRun, updateIncident } from './runbook-incident.js';

/**
 * The check every catalog runbook starts with (its `Check` state): records a manual run as an
 * incident, then applies the guardrails in one order for all of them — kill switch, enablement,
 * the runbook's own assessment of the live resource, a dry run, the ledger (hourly budget and
 * the target's cooldown), approval. Its verdict drives the state machine's `Verdict` Choice
 * (runbooks/kit/verdict.ts).
 *
 * A run is a dry run when its input asks for one (`dryRun: "true"`), which triage does while the
 * `mode` guardrail is `dry-run`. Any other run acts unless the mode is `off`: a person who starts
 * a runbook by hand gets what she asked for, within the budgets, cooldowns and approvals.
 */

/** Values a runbook computed for its next states (sizes, ids, AZ ids…), read as `$.guardrail.plan`. */
export type PlanValues = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** What the check returns to the state machine (`$.guardrail`). */
export interface CheckResult {
  readonly verdict: CheckVerdict;
  /** One sentence for humans: why this verdict, or what the run is about to do. */
  readonly reason: string;
  /** The incident this run reports to (created for a manual run). */
  readonly incidentId: string;
  readonly blockedBy?: BlockedBy;
  /** Set for `act`, `approve`, `follow` and `dry-run`; empty otherwise. */
  readonly plan: PlanValues;
}

/** A runbook's own verdict on the live resource, before budgets and approval. */
export type Assessment =
  /** Nothing to do (`skip`: already healthy, gone, not applicable) or not allowed (`refused`). */
  | {
      readonly type: 'stop';
      readonly verdict: 'skip' | 'refused';
      readonly reason: string;
      readonly blockedBy?: BlockedBy;
    }
  /** AWS is recovering by itself: follow and verify, mutate nothing (no budget, no approval). */
  | { readonly type: 'follow'; readonly action: string; readonly plan: PlanValues }
  /** A mutating step: `action` says what it will do ("force a failover of rebound-prod-db"). */
  | {
      readonly type: 'mutate';
      readonly action: string;
      readonly plan: PlanValues;
      /** Whether this step waits for a person (forced failovers, evacuations…). */
      readonly needsApproval: boolean;
    };

export interface CheckDeps {
  /** Current guardrails; read fresh, a runbook is about to act. */
  readonly guardrails: () => Promise<ParsedGuardrails>;
  readonly incidents: IncidentStore;
  readonly ledger: ActionLedger;
  readonly clock: Clock;
  /** Where unreadable guardrail values are reported (they fall back to the safe side). */
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
}

export const checkRunbook = async (
  run: RunbookRun,
  assess: (guardrails: Guardrails) => Promise<Assessment>,
  deps: CheckDeps,
): Promise<CheckResult> => {
  const incident = await ensureRunbookIncident(deps.incidents, run, deps.clock);
  const result = (
    verdict: CheckVerdict,
    reason: string,
    extra: { readonly plan?: PlanValues; readonly blockedBy?: BlockedBy } = {},
  ): CheckResult => ({
    verdict,
    reason,
    incidentId: incident.id,
    plan: extra.plan ?? {},
    ...(extra.blockedBy === undefined ? {} : { blockedBy: extra.blockedBy }),
  });

  const { guardrails, problems } = await deps.guardrails();
  if (problems.length > 0) deps.warn('guardrails fell back to safe values', { problems });
  if (guardrails.mode === 'off') {
    return result('refused', 'the automation mode guardrail is off: nothing is done', {
      blockedBy: 'mode-off',
    });
  }
  if (!guardrails.enabledRunbooks.includes(run.runbook)) {
    return result(
      'refused',
      // Worded without the runbook's name: the alert picks its guardrail hint from this text.
      'this runbook is not in the enabled-runbooks guardrail: nothing is done',
      { blockedBy: 'runbook-disabled' },
    );
  }

  const assessment = await assess(guardrails);
  if (assessment.type === 'stop') {
    return result(assessment.verdict, assessment.reason, { blockedBy: assessment.blockedBy });
  }
  const { plan, action } = assessment;
  if (assessment.type === 'follow') return result('follow', action, { plan });

  const request = actionRequestFor(run.runbook, run.target.id, guardrails);
  const now = deps.clock.now();
  const approval =
    assessment.needsApproval &&
    runbookDefinition(run.runbook)?.needsApproval === true &&
    !guardrails.autoApprovedRunbooks.includes(run.runbook);
  const after = approval ? ' after approval' : '';
  // A mode that could not be read is not a person's permission to act: the safe side.
  const modeUnreadable = problems.some((problem) =>
    problem.startsWith(`guardrail ${GUARDRAIL_PARAMETERS.mode}:`),
  );
  if (run.dryRun === true || modeUnreadable) {
    const peek =
      request === undefined ? { allowed: true as const } : await deps.ledger.peek(request, now);
    const would = peek.allowed ? `would ${action}${after}` : `would be refused: ${peek.reason}`;
    const why =
      run.dryRun === true ? 'the input asked for one' : 'the mode guardrail is unreadable';
    return result('dry-run', `dry-run (${why}): ${would}`, { plan });
  }
  // Said in the run's own words (the incident's timeline, the approval request, the report):
  // acting while the mode is dry-run surprises whoever set it.
  const acting =
    guardrails.mode === 'dry-run'
      ? `${action} (acting although the mode guardrail is dry-run: a run without dryRun "true" acts unless the mode is off)`
      : action;

  if (request !== undefined) {
    // Claimed before asking: a rejected or unanswered request still holds the target's
    // cooldown, so the same question is not asked again at once.
    const claim = await deps.ledger.claim(request, now);
    if (!claim.allowed) return result('refused', claim.reason, { blockedBy: claim.blockedBy });
  }
  if (approval) return result('approve', acting, { plan });
  await updateIncident(deps.incidents, incident.id, (current) =>
    current.status === 'open' ? transition(current, 'mitigating', acting, now) : current,
  );
  return result('act', acting, { plan });
};
