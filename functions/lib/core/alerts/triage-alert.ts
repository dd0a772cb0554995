import { truncateMiddle } from '../../sms.js';
import type { Alert, AlertKind, TriageAlertInput } from '../alert.js';
import type { Decision } from '../decision.js';
import type { AwsSelfHealing, SignalKind } from '../signal.js';
import {
  type AlertRenderOptions,
  guardrailPathOf,
  incidentLines,
  linkLines,
  renderSms,
  renderSubject,
  resourceLabel,
  SMS_LABEL,
  section,
  stateLines,
} from './frame.js';
import { guardrailHint } from './guardrail-hint.js';
import { emailLine, formatDuration, formatTime, MAX_INPUT, toSnsSubject } from './text.js';

/**
 * The alert for one triaged signal: an SNS subject, an email for a tired engineer at 3 am (does
 * she need to act, what happened, what it breaks, what Rebound does and why, live state, links)
 * and, when a page is due, a one-segment SMS.
 */

const HEADLINE: Readonly<Record<AlertKind, string>> = {
  'incident-opened': 'NEW INCIDENT',
  'incident-update': 'INCIDENT UPDATE',
  'incident-resolved': 'RESOLVED',
  'runbook-succeeded': 'RUNBOOK SUCCEEDED',
  escalation: 'ESCALATION',
  'approval-request': 'APPROVAL NEEDED',
};

const HEALER: Readonly<Record<AwsSelfHealing['by'], string>> = {
  'auto-scaling': 'Auto Scaling',
  rds: 'RDS',
  elasticache: 'ElastiCache',
  'target-tracking': 'target tracking',
};

const IMPACT: Readonly<Record<SignalKind, string>> = {
  'instance-health':
    'One web instance is unhealthy. The load balancer stops sending it traffic once its health ' +
    'check fails; until then some requests may fail, and the shop runs with less headroom.',
  'capacity-pressure':
    'Slow pages possible; the group is scaling out. If it is already at its maximum size, ' +
    'expect slow pages or errors until load drops or the maximum is raised.',
  'database-failover':
    'Database writes fail or hang for 1-2 minutes while the standby takes over; the shop ' +
    'reconnects through the same DNS name. Checkouts in flight may fail.',
  'database-degraded':
    'The database is degraded (storage, replication or a restart): pages that read or write ' +
    'orders may be slow or fail, and read replicas may serve stale data.',
  'cache-failover':
    'The cache is promoting a replica: cache writes fail for a few seconds, sessions and carts ' +
    'may be slow.',
  'cache-degraded':
    'The cache is degraded: more reads fall through to the database, so pages may be slower.',
  'az-impairment':
    'One Availability Zone is impaired: instances, the database primary or cache nodes in it ' +
    'may be lost, and the other zones must carry the traffic.',
  'runbook-failure':
    'An automatic recovery did not finish: the problem it was fixing may still be there.',
  informational: 'None expected: recorded for the timeline.',
};

const runbookName = (decision: Decision): string =>
  decision.runbook === null ? 'a runbook' : emailLine(decision.runbook, 80);

/** The second line of the email: does the reader need to act? */
const callToAction = ({ decision, signal }: TriageAlertInput): string => {
  if (decision.action === 'runbook') {
    return 'No action needed yet: Rebound is fixing it and will report the result.';
  }
  if (decision.action !== 'notify' || signal.phase !== 'problem') return 'No action needed.';
  if (decision.blockedBy !== undefined) {
    return 'ACTION NEEDED: a guardrail stopped the automatic fix (see below).';
  }
  if (signal.selfHealing !== undefined) {
    return 'No action needed yet: AWS recovers this by itself; Rebound watches the clock.';
  }
  return 'ACTION NEEDED: nothing automatic fixes this; please take a look.';
};

const impact = ({ signal, incident }: TriageAlertInput): string => {
  if (signal.phase === 'recovered') {
    const open = incident.parts.filter((part) => part.state === 'active').length;
    return `Recovered: no further impact expected from this part.${open > 0 ? ` ${open} part(s) of the incident still open.` : ''}`;
  }
  if (signal.phase === 'info') return IMPACT.informational;
  const reach =
    signal.severity === 'critical'
      ? 'Likely customer-facing now.'
      : 'Probably not customer-facing yet.';
  return `${reach} ${IMPACT[signal.kind]}`;
};

const actionSentence = ({ decision, signal, executionArn }: TriageAlertInput): string => {
  switch (decision.action) {
    case 'runbook':
      return executionArn === undefined
        ? `Starting runbook ${runbookName(decision)}.`
        : `Started runbook ${runbookName(decision)} (execution linked below).`;
    case 'notify':
      if (decision.blockedBy !== undefined) {
        return `Wanted to run ${runbookName(decision)}, but guardrail "${decision.blockedBy}" stopped it.`;
      }
      if (signal.selfHealing !== undefined) {
        return `Observing: ${HEALER[signal.selfHealing.by]} recovers this by itself; Rebound does not interfere.`;
      }
      return 'Telling you: no runbook handles this.';
    case 'resolve':
      return 'Recorded the recovery.';
    case 'suppress':
      return 'Nothing new: this joins the open incident without paging again.';
    case 'ignore':
      return 'Nothing: this signal needs no action.';
  }
};

const actionLines = (input: TriageAlertInput, guardrailPath: string): string[] => {
  const { decision, signal, incident } = input;
  const lines = [`  ${actionSentence(input)}`, `  Why: ${emailLine(decision.reason, 1000)}`];
  if (decision.blockedBy !== undefined) {
    lines.push(`  ${guardrailHint(decision.blockedBy, decision.runbook, guardrailPath)}`);
  }
  if (signal.selfHealing !== undefined && signal.phase === 'problem') {
    const deadline = incident.parts.find((part) => part.key === signal.partKey)?.expectRecoveryBy;
    lines.push(
      `  ${HEALER[signal.selfHealing.by]} normally recovers this within ` +
        `${formatDuration(signal.selfHealing.expectedWithinSeconds)}; Rebound escalates if it has ` +
        `not recovered${deadline === undefined ? ' in time' : ` by ${formatTime(deadline)}`}.`,
    );
  }
  return lines;
};

/** Short SMS form of what Rebound does. */
const smsAction = ({ decision, signal }: TriageAlertInput): string => {
  if (decision.action === 'runbook') return `Rebound: running ${decision.runbook ?? 'runbook'}.`;
  if (decision.blockedBy !== undefined)
    return `Rebound: blocked by ${decision.blockedBy}, needs you.`;
  if (signal.selfHealing !== undefined) {
    return `Rebound: observing ${HEALER[signal.selfHealing.by]} recovery.`;
  }
  return 'Rebound: no auto fix, needs you.';
};

/** Alert for one triaged signal: see {@link TriageAlertInput}. */
export function renderTriageAlert(
  input: TriageAlertInput,
  region: string,
  options: AlertRenderOptions = {},
): Alert {
  const { incident, signal, kind } = input;
  const severity = signal.severity;
  const label = kind === 'incident-resolved' ? 'RESOLVED' : severity.toUpperCase();
  const name = truncateMiddle(toSnsSubject(signal.resource.id.slice(0, MAX_INPUT), 200), 30);
  const email = [
    `${label} - ${HEADLINE[kind]}: ${emailLine(signal.resource.id, 200)} - ${emailLine(signal.summary)}`,
    callToAction(input),
    ...section('WHAT HAPPENED', [
      `  ${emailLine(signal.summary, 1000)}`,
      `  Resource:  ${resourceLabel(signal.resource)}`,
      `  Time:      ${formatTime(signal.source.time)}`,
      `  AZ:        ${signal.availabilityZone === undefined ? 'not known' : emailLine(signal.availabilityZone, 40)}`,
      `  Phase:     ${signal.phase} (${emailLine(signal.kind, 40)}, ${severity})`,
    ]),
    ...section('IMPACT', [`  ${impact(input)}`]),
    ...section('WHAT REBOUND DID / WILL DO, AND WHY', actionLines(input, guardrailPathOf(options))),
    ...section('CURRENT STATE', stateLines(input.resourceState)),
    ...section('INCIDENT', incidentLines(incident)),
    ...section(
      'LINKS',
      linkLines(
        [signal.resource, ...signal.related, ...incident.resources],
        region,
        input.executionArn,
      ),
    ),
    '',
    '--',
    `Rebound triage. Event ${emailLine(signal.source.eventId, 128)} (${emailLine(signal.source.source, 64)} / ` +
      `${emailLine(signal.source.detailType, 128)}), account ${emailLine(signal.source.account, 20)}, ` +
      `region ${emailLine(signal.source.region, 30)}.`,
    '',
  ].join('\n');
  const pages = input.page && severity === 'critical';
  return {
    severity,
    kind,
    incidentId: incident.id,
    subject: renderSubject(label, `${name}: ${signal.summary}`, incident.id),
    email,
    sms: pages
      ? renderSms(
          SMS_LABEL[severity],
          signal.resource.id,
          signal.summary,
          smsAction(input),
          incident.id,
        )
      : null,
  };
}
