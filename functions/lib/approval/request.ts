import { appendTimeline, type Incident, pageDue, releasePageClaim } from '../core/incident.js';
import type { AlertPublisher, Clock, IncidentStore } from '../core/ports.js';
import { updateIncident } from '../runbook/runbook-incident.js';
import { renderApprovalAlert } from './alert.js';
import type { ApprovalRecord, ApprovalStore, SigningKey } from './ports.js';
import type { ApprovalRequestEvent } from './schemas.js';
import { approvalLinks, newApprovalId } from './token.js';

export interface RequestDeps {
  readonly approvals: ApprovalStore;
  readonly incidents: IncidentStore;
  readonly alerts: AlertPublisher;
  /** The signed links' endpoint (Function URL) and key; absent when approvals are IAM-only. */
  readonly links?: {
    readonly endpointUrl: string;
    readonly signingKey: SigningKey;
  };
  /** For the CLI command the request shows (`--stage`, `--region`). */
  readonly stage: string;
  readonly region: string;
  readonly clock: Clock;
  readonly newId?: () => string;
}

export interface RequestResult {
  readonly approvalId: string;
  readonly incidentId: string;
  /** ISO. */
  readonly expiresAt: string;
  readonly messageId: string | undefined;
}

/**
 * Claims the incident's one page for the approval request when it is due (a critical incident
 * that has not paged yet), in the incident itself as triage claims its own, so two alerts racing
 * never both page. Returns the incident as stored and whether this request pages.
 */
const claimPage = async (
  incidents: IncidentStore,
  incident: Incident,
  at: string,
): Promise<{ readonly incident: Incident; readonly page: boolean }> => {
  if (!pageDue(incident, incident.severity)) return { incident, page: false };
  let page = false;
  const stored = await updateIncident(incidents, incident.id, (current) => {
    page = pageDue(current, current.severity);
    return page ? { ...current, lastPagedAt: at } : current;
  });
  return { incident: stored, page };
};

/** Gives back a page claimed at `at` whose alert could not be sent: the escalation pages. */
const releasePage = (incidents: IncidentStore, id: string, at: string): Promise<Incident> =>
  updateIncident(incidents, id, (current) => releasePageClaim(current, at));

/**
 * RequestApproval: stores the request (with the task token, which never leaves the store), sends
 * the approval alert with signed links (unless approvals are IAM-only) and the CLI way, and notes
 * the request on the incident's timeline. The request pages only when a person is needed now and
 * nothing has paged for it yet: its incident is critical (service impact) and has not paged;
 * otherwise it goes by email, and if nobody answers in time the escalation is the page. Returns
 * at once; the state machine then waits for SendTaskSuccess.
 */
export const requestApproval = async (
  event: ApprovalRequestEvent,
  deps: RequestDeps,
): Promise<RequestResult> => {
  const incident = await deps.incidents.get(event.incidentId);
  if (incident === undefined) throw new Error(`incident ${event.incidentId} not found`);
  const now = deps.clock.now();
  const record: ApprovalRecord = {
    id: (deps.newId ?? newApprovalId)(),
    taskToken: event.taskToken,
    runbook: event.runbook,
    incidentId: incident.id,
    executionArn: event.execution.id,
    executionName: event.execution.name,
    action: event.action,
    target: event.target,
    status: 'pending',
    requestedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + event.timeoutSeconds,
  };
  await deps.approvals.create(record);

  const claimedAt = now.toISOString();
  const claim = await claimPage(deps.incidents, incident, claimedAt);
  const alert = renderApprovalAlert({
    record,
    incident: claim.incident,
    page: claim.page,
    ...(deps.links === undefined
      ? {}
      : {
          links: approvalLinks(
            deps.links.endpointUrl,
            await deps.links.signingKey(),
            record.id,
            record.expiresAt,
          ),
        }),
    stage: deps.stage,
    region: deps.region,
    timeoutSeconds: event.timeoutSeconds,
  });
  let messageId: string | undefined;
  try {
    messageId = await deps.alerts.publish(alert);
  } catch (error) {
    if (claim.page) await releasePage(deps.incidents, incident.id, claimedAt);
    throw error;
  }

  const at = deps.clock.now().toISOString();
  await updateIncident(
    deps.incidents,
    incident.id,
    (current): Incident =>
      appendTimeline(
        current,
        [
          {
            type: 'approval',
            at,
            runbook: event.runbook,
            executionName: event.execution.name,
            decision: 'requested',
            reason: record.action,
          },
          {
            type: 'alert',
            at,
            severity: alert.severity,
            subject: alert.subject,
            sms: alert.sms !== null,
          },
        ],
        deps.clock.now(),
      ),
  );
  return {
    approvalId: record.id,
    incidentId: incident.id,
    expiresAt: new Date(record.expiresAt * 1000).toISOString(),
    messageId,
  };
};
