import type { HeldBack } from './freshness.js';
import type { TimelineEntry } from './incident.js';
import type { BlockedBy } from './runbook-registry.js';

/** What triage does with a signal, and why (every decision has a human-readable reason). */
export const DECISION_ACTIONS = ['runbook', 'notify', 'resolve', 'suppress', 'ignore'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface Decision {
  readonly action: DecisionAction;
  /** The runbook to start (`runbook`), or the one a guardrail stopped (`notify`). */
  readonly runbook: string | null;
  readonly reason: string;
  /** Set when a guardrail stopped an action: which one. */
  readonly blockedBy?: BlockedBy;
  /**
   * How a started runbook will run when it will not simply act: `dry-run` (the mode guardrail:
   * it checks and reports, changes nothing) or `approval` (it waits for a person first).
   */
  readonly startsAs?: RunbookStart;
  /** Set when the signal may not act (replayed or too old, freshness.ts): nothing started, no page. */
  readonly heldBack?: HeldBack;
}

export type RunbookStart = 'dry-run' | 'approval';

/** The timeline line of a decision. */
export const decisionEntry = (decision: Decision, now: Date): TimelineEntry => ({
  type: 'decision',
  at: now.toISOString(),
  action: decision.action,
  runbook: decision.runbook,
  reason: decision.reason,
  ...(decision.blockedBy === undefined ? {} : { blockedBy: decision.blockedBy }),
});
