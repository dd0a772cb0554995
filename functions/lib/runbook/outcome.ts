import type { RunbookOutcome } from '../core/render-alert.js';

export type { RunbookOutcome };

/**
 * What a runbook's guardrail check decides and how a run ends: the vocabulary shared by the
 * task Lambdas and the state machines (Choice states compare these strings).
 */

/** The guardrail check's verdict; the state machine branches on it. */
export const GUARDRAIL_VERDICTS = ['act', 'dry-run', 'skip', 'refused'] as const;
export type GuardrailVerdict = (typeof GUARDRAIL_VERDICTS)[number];

/** Which guardrail stopped the run (`refused`), for the timeline and the alert. */
export type BlockedBy =
  | 'mode-off'
  | 'runbook-disabled'
  | 'floor'
  | 'budget'
  | 'cooldown'
  /** scale-out: the group's maximum is already at the max-scale-out-capacity guardrail. */
  | 'ceiling';

/** What the guardrail Lambda returns to the state machine (`$.guardrail`). */
export interface GuardrailResult {
  readonly verdict: GuardrailVerdict;
  /** One sentence for humans: why this verdict. */
  readonly reason: string;
  /** The incident this run reports to (created for a manual run). */
  readonly incidentId: string;
  /** The group's desired capacity when checked; null when the check stopped before reading it. */
  readonly desiredCapacity: number | null;
  readonly blockedBy?: BlockedBy;
}

/** How a run ended, as the report Lambda records and announces it. */
export const RUNBOOK_OUTCOMES = [
  'succeeded',
  'failed',
  'dry-run',
  'skipped',
  'refused',
] as const satisfies readonly RunbookOutcome[];

/** The outcome each non-acting verdict is reported with. */
export const OUTCOME_OF_VERDICT = {
  'dry-run': 'dry-run',
  skip: 'skipped',
  refused: 'refused',
} as const satisfies Record<Exclude<GuardrailVerdict, 'act'>, RunbookOutcome>;

/** The step did not get a usable input; the state machine fails with this error name. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';
}
