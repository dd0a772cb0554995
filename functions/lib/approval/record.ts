import { appendTimeline, type Incident, transition } from '../core/incident.js';
import type { Clock, IncidentStore } from '../core/ports.js';
import { updateIncident } from '../runbook/runbook-incident.js';
import { answerSummary, normaliseAnswer } from './normalise.js';
import type { ApprovalRecordEvent } from './schemas.js';

export interface RecordDeps {
  readonly incidents: IncidentStore;
  readonly clock: Clock;
}

/** What RecordApproval returns to the state machine (`$.approval`). */
export interface RecordResult {
  readonly approved: boolean;
  readonly by: string;
  readonly reason?: string;
  readonly via: string;
  /** `approved by Ana via link: primary is hung`: the detail of a rejected run's report. */
  readonly summary: string;
}

/**
 * RecordApproval: normalises the answer (anything unclear is a rejection), writes who decided,
 * how and why on the incident's timeline, and moves an open incident to `mitigating` when
 * approved. A retry of the same execution's same decision writes nothing twice.
 */
export const recordApproval = async (
  event: ApprovalRecordEvent,
  deps: RecordDeps,
): Promise<RecordResult> => {
  const answer = normaliseAnswer(event.answer);
  const summary = answerSummary(answer);
  const decision = answer.approved ? 'approved' : 'rejected';
  await updateIncident(deps.incidents, event.incidentId, (incident): Incident => {
    const recorded = incident.timeline.some(
      (entry) =>
        entry.type === 'approval' &&
        entry.executionName === event.execution.name &&
        entry.decision === decision,
    );
    if (recorded) return incident;
    const now = deps.clock.now();
    const noted = appendTimeline(
      incident,
      [
        {
          type: 'approval',
          at: now.toISOString(),
          runbook: event.runbook,
          executionName: event.execution.name,
          decision,
          by: answer.by,
          via: answer.via,
          ...(answer.reason === undefined ? {} : { reason: answer.reason }),
        },
      ],
      now,
    );
    return answer.approved && noted.status === 'open'
      ? transition(noted, 'mitigating', `${event.runbook} ${summary}`, now)
      : noted;
  });
  return {
    approved: answer.approved,
    by: answer.by,
    via: answer.via,
    ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    summary,
  };
};
