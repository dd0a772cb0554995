import type { RunbookOutcome } from '../core/render-alert.js';

export type { RunbookOutcome };

/**
 * How a runbook run ends and why it did not act: the vocabulary shared by the task Lambdas and
 * the state machines (the check's verdicts are in check.ts).
 */

/** Which guardrail stopped the run (`refused`), for the timeline and the alert. */
export type BlockedBy =
  | 'mode-off'
  | 'runbook-disabled'
  | 'floor'
  | 'budget'
  | 'cooldown'
  /** scale-out and az-evacuation: the max-scale-out-capacity guardrail. */
  | 'ceiling';

/** How a run ended, as the report Lambda records and announces it. */
export const RUNBOOK_OUTCOMES = [
  'succeeded',
  'failed',
  'dry-run',
  'skipped',
  'refused',
] as const satisfies readonly RunbookOutcome[];

/** The step did not get a usable input; the state machine fails with this error name. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';
}
