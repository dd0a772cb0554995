import type { Severity } from '../../severity.js';
import type { Alert, AlertKind, TriageAlertInput } from '../alert.js';
import { executionConsoleLink } from '../console-links.js';
import type { Decision } from '../decision.js';
import type { HeldBack } from '../freshness.js';
import type { Incident } from '../incident.js';
import type { AwsSelfHealing } from '../signal.js';
import { INFORMATIONAL_IMPACT, impactOf, whatIsWrong } from './explain.js';
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
import { runbookCommandLines } from './runbook-command.js';
import { emailLine, formatDuration, formatTime } from './text.js';

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

const HELD_BACK: Readonly<Record<HeldBack, string>> = {
  replayed: 'the event was replayed from the archive',
  stale: 'the event was too old to act on',
  untrusted: "the alarm is not the shop's own or names a resource that is not the shop's",
};

const runbookName = (decision: Decision): string =>
  decision.runbook === null ? 'a runbook' : emailLine(decision.runbook, 80);

/** The second line of the email: does the reader need to act? */
const callToAction = ({ decision, signal }: TriageAlertInput): string => {
  if (decision.action === 'runbook') {
    if (decision.startsAs === 'dry-run') {
      return (
        `ACTION NEEDED: Rebound will not act. Automation runs in dry-run mode, so ` +
        `${runbookName(decision)} only checks and reports and changes nothing: fix it yourself ` +
        'or run the runbook by hand (the commands are below).'
      );
    }
    if (decision.startsAs === 'approval') {
      return (
        `APPROVAL NEEDED: ${runbookName(decision)} waits for a person before it acts. The ` +
        'approval request with its Approve / Reject link follows in its own email.'
      );
    }
    return 'No action needed yet: Rebound is fixing it and will report the result.';
  }
  if (decision.heldBack === 'untrusted') {
    return "CHECK THE ALARM: it is not one of the shop's own alarms or names a resource that is not the shop's, so Rebound neither acts nor pages.";
  }
  if (decision.heldBack !== undefined) {
    return 'CHECK THE LIVE STATE: this event is not live (replayed or too old), so Rebound neither acts nor pages.';
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
  if (signal.phase === 'info') return INFORMATIONAL_IMPACT;
  const reach =
    signal.severity === 'critical'
      ? 'Likely customer-facing now.'
      : 'Probably not customer-facing yet.';
  return `${reach} ${impactOf(signal)}`;
};

const actionSentence = ({ decision, signal, executionArn }: TriageAlertInput): string => {
  switch (decision.action) {
    case 'runbook': {
      const how =
        decision.startsAs === 'dry-run'
          ? ' in dry-run mode: it checks and reports, and changes nothing'
          : decision.startsAs === 'approval'
            ? ': it waits for your approval before it acts'
            : '';
      return executionArn === undefined
        ? `Starting runbook ${runbookName(decision)}${how}.`
        : `Started runbook ${runbookName(decision)}${how} (execution linked below).`;
    }
    case 'notify':
      if (decision.heldBack !== undefined) {
        return `Recorded only: ${HELD_BACK[decision.heldBack]}, so ${runbookName(decision)} was not started.`;
      }
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

/** How to act now when Rebound will not: the runbook commands, and how to leave dry-run. */
const runItYourselfLines = (
  input: TriageAlertInput,
  region: string,
  options: AlertRenderOptions,
): string[] => {
  const { decision } = input;
  if (decision.startsAs !== 'dry-run' || decision.runbook === null) return [];
  const commands = runbookCommandLines(
    decision.runbook,
    { ...(input.runbookInput ?? {}), incidentId: input.incident.id },
    options.stage ?? '<stage>',
    region,
  );
  return [
    '  To run it yourself now (a run started by hand acts unless the mode guardrail is off;',
    '  budgets, cooldowns and approvals still apply):',
    ...commands.map((line) => `    ${line}`),
    "  Dry-run is the mode guardrail, a fresh deploy's default; for Rebound to act by itself:",
    `  ${guardrailHint('dry-run', decision.runbook, guardrailPathOf(options))}`,
  ];
};

/** Where the approval comes from, with the execution that waits for it. */
const approvalLines = (input: TriageAlertInput, region: string): string[] => {
  if (input.decision.startsAs !== 'approval') return [];
  const execution =
    input.executionArn === undefined ? '' : executionConsoleLink(input.executionArn, region);
  return [
    '  Approve or reject with the link in the approval request email (subject starting',
    '  [APPROVAL]); the run waits for the answer and takes the safe side if none comes.',
    ...(execution === '' ? [] : [`  The waiting execution: ${execution}`]),
  ];
};

const actionLines = (
  input: TriageAlertInput,
  region: string,
  options: AlertRenderOptions,
): string[] => {
  const { decision, signal, incident } = input;
  const lines = [`  ${actionSentence(input)}`, `  Why: ${emailLine(decision.reason, 1000)}`];
  lines.push(...runItYourselfLines(input, region, options), ...approvalLines(input, region));
  if (decision.blockedBy !== undefined) {
    lines.push(
      `  ${guardrailHint(decision.blockedBy, decision.runbook, guardrailPathOf(options))}`,
    );
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
  if (decision.startsAs === 'dry-run') return 'Rebound will NOT act (dry-run), needs you.';
  if (decision.startsAs === 'approval') {
    return `Rebound: ${decision.runbook ?? 'runbook'} needs your approval (email).`;
  }
  if (decision.action === 'runbook') return `Rebound: running ${decision.runbook ?? 'runbook'}.`;
  if (decision.blockedBy !== undefined)
    return `Rebound: blocked by ${decision.blockedBy}, needs you.`;
  if (signal.selfHealing !== undefined) {
    return `Rebound: observing ${HEALER[signal.selfHealing.by]} recovery.`;
  }
  return 'Rebound: no auto fix, needs you.';
};

/** An update or resolution of a critical incident is critical too, whatever its signal. */
const severityOf = ({ signal, incident }: TriageAlertInput): Severity =>
  signal.severity === 'critical' || incident.severity === 'critical' ? 'critical' : 'warning';

/** The person's part, for the headline and the subject: empty when nothing is asked of her. */
const tagOf = (callToActionLine: string): string =>
  /^(ACTION NEEDED|APPROVAL NEEDED):/.exec(callToActionLine)?.[1] ?? '';

/** Most signal lines an update lists; the incident's timeline has the rest. */
const MAX_JOINED = 10;

/**
 * The signals that joined the incident since its last alert went out (this one included): an
 * update email tells everything that happened in between, not only the latest signal.
 */
const joinedSinceLastAlert = (incident: Incident): string[] => {
  const lastAlert = incident.timeline.findLastIndex((entry) => entry.type === 'alert');
  const joined = incident.timeline
    .slice(lastAlert + 1)
    .flatMap((entry) => (entry.type === 'signal' ? [entry] : []));
  const lines = joined
    .slice(-MAX_JOINED)
    .map((entry) => `  ${formatTime(entry.at)}  ${emailLine(entry.summary, 300)}`);
  if (joined.length > lines.length) {
    lines.unshift(
      `  ... ${joined.length - lines.length} earlier signals in the incident's timeline`,
    );
  }
  return lines.length > 0 ? lines : ['  (no other signal)'];
};

/** Alert for one triaged signal: see {@link TriageAlertInput}. */
export function renderTriageAlert(
  input: TriageAlertInput,
  region: string,
  options: AlertRenderOptions = {},
): Alert {
  const { incident, signal, kind } = input;
  const severity = severityOf(input);
  const label = kind === 'incident-resolved' ? 'RESOLVED' : severity.toUpperCase();
  const what = whatIsWrong(signal);
  const cta = callToAction(input);
  const tag = tagOf(cta);
  const headline = tag === '' ? what : `${tag}: ${what}`;
  const description =
    signal.description === undefined ? [] : [`  AWS says:  ${emailLine(signal.description, 1000)}`];
  const email = [
    `${label} - ${HEADLINE[kind]}${tag === '' ? '' : ` - ${tag}`}: ${emailLine(what)} - ${emailLine(signal.resource.id, 200)}`,
    cta,
    ...section('WHAT HAPPENED', [
      `  ${emailLine(signal.summary, 1000)}`,
      ...description,
      `  Resource:  ${resourceLabel(signal.resource)}`,
      `  Time:      ${formatTime(signal.source.time)}`,
      `  AZ:        ${signal.availabilityZone === undefined ? 'not known' : emailLine(signal.availabilityZone, 40)}`,
      `  Phase:     ${signal.phase} (${emailLine(signal.kind, 40)}, ${signal.severity})`,
    ]),
    ...(kind === 'incident-opened'
      ? []
      : section('SIGNALS SINCE THE LAST EMAIL', joinedSinceLastAlert(incident))),
    ...section('IMPACT', [`  ${impact(input)}`]),
    ...section('WHAT REBOUND DID / WILL DO, AND WHY', actionLines(input, region, options)),
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
    subject: renderSubject(label, headline, incident.id, signal.resource.id),
    email,
    sms: pages
      ? renderSms(SMS_LABEL[severity], signal.resource.id, what, smsAction(input), incident.id)
      : null,
  };
}
