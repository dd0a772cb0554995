import type { TimelineEntry } from '../core/incident.js';
import type { ReportEvent } from './events.js';

/**
 * The error an approval gate escalates with when nobody answered in time (runbooks/kit/
 * approval-gate.ts sets it, the report reads it): the state machine and the report agree on it here.
 */
export const APPROVAL_TIMED_OUT = 'ApprovalTimedOut';

const MAX_REASON = 500;

/**
 * The incident's own record that the approval request went unanswered, for a run that escalates
 * because of it: the timeline then says "approval timed out" next to "requested", not only
 * through the run's failure.
 */
export const approvalTimedOutEntry = (event: ReportEvent, at: string): TimelineEntry | undefined =>
  event.outcome === 'failed' && event.state.error?.Error === APPROVAL_TIMED_OUT
    ? {
        type: 'approval',
        at,
        runbook: event.runbook,
        executionName: event.execution.name,
        decision: 'timed-out',
        reason: (event.state.error.Cause ?? 'nobody answered in time').slice(0, MAX_REASON),
      }
    : undefined;
