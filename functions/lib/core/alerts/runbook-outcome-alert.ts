import type { Severity } from '../../severity.js';
import type { Alert, AlertKind } from '../alert.js';
import type { Incident } from '../incident.js';
import type { BlockedBy, RunbookOutcome } from '../runbook-registry.js';
import {
  type AlertRenderOptions,
  guardrailPathOf,
  incidentLines,
  linkLines,
  renderSms,
  renderSubject,
  SMS_LABEL,
  section,
} from './frame.js';
import { guardrailHint } from './guardrail-hint.js';
import { emailLine } from './text.js';

/** The alert at the end of a runbook execution: success, failure (escalation) or no action. */

export interface RunbookOutcomeAlertInput {
  readonly incident: Incident;
  readonly runbook: string;
  readonly outcome: RunbookOutcome;
  readonly detail: string;
  /** The guardrail that stopped a `refused` run, as the run's check reported it. */
  readonly blockedBy?: BlockedBy;
  /**
   * What the run's check decided, in its words: the first alert of a run started by hand says
   * whether it acted and why (a dry run, acting although the mode is dry-run…).
   */
  readonly checkReason?: string;
  readonly executionArn?: string;
  readonly page: boolean;
}

interface OutcomeStyle {
  readonly severity: Severity;
  readonly kind: AlertKind;
  readonly label: string;
  readonly verb: string;
  readonly meaning: (input: RunbookOutcomeAlertInput, guardrailPath: string) => string;
}

const OUTCOME: Readonly<Record<RunbookOutcome, OutcomeStyle>> = {
  succeeded: {
    severity: 'warning',
    kind: 'runbook-succeeded',
    label: 'OK',
    verb: 'succeeded',
    meaning: () =>
      'No action needed: the runbook acted and verified the recovery. The incident closes once ' +
      'every part has recovered.',
  },
  failed: {
    severity: 'critical',
    kind: 'escalation',
    label: 'CRITICAL',
    verb: 'FAILED',
    meaning: () =>
      'ACTION NEEDED: the automatic recovery failed or timed out, so the problem is probably ' +
      'still there. Take over now: the execution below shows which step failed.',
  },
  'dry-run': {
    severity: 'warning',
    kind: 'incident-update',
    label: 'DRY-RUN',
    verb: 'ran as a dry run',
    meaning: (input, path) =>
      'ACTION NEEDED: the runbook only checked what it would do and changed nothing (a dry run: ' +
      'the detail above says why), so the problem is probably still there unless AWS fixed it. ' +
      `Fix it yourself or run the runbook by hand: npm run runbook -- ${emailLine(input.runbook, 80)} ` +
      '--input <file> acts unless the mode guardrail is off (the first alert of the incident has ' +
      `the exact commands). ${guardrailHint('dry-run', input.runbook, path)}`,
  },
  skipped: {
    severity: 'warning',
    kind: 'incident-update',
    label: 'SKIPPED',
    verb: 'skipped',
    meaning: () =>
      'The runbook found nothing to do (the resource had recovered or is gone). Check that the ' +
      'incident resolves.',
  },
  refused: {
    severity: 'warning',
    kind: 'incident-update',
    label: 'REFUSED',
    verb: 'refused to act',
    meaning: (input, path) =>
      input.blockedBy === undefined
        ? 'ACTION NEEDED: the runbook refused to act (the detail above says why), so the problem may still be there.'
        : `ACTION NEEDED: guardrail "${input.blockedBy}" stopped the runbook, so the problem may still be there. ${guardrailHint(input.blockedBy, input.runbook, path)}`,
  },
};

/** Alert for the end of a runbook execution: success, failure (escalation) or no action. */
export function renderRunbookOutcomeAlert(
  input: RunbookOutcomeAlertInput,
  region: string,
  options: AlertRenderOptions = {},
): Alert {
  const { incident, outcome } = input;
  const style = OUTCOME[outcome];
  const runbook = emailLine(input.runbook, 80);
  const email = [
    `${style.label} - RUNBOOK ${runbook} ${style.verb}: ${emailLine(incident.title)}`,
    ...section('WHAT HAPPENED', [
      `  Runbook:   ${runbook}`,
      `  Outcome:   ${outcome}`,
      `  Detail:    ${emailLine(input.detail, 1000)}`,
      // Left out where the detail already is the check's sentence (dry-run, refused, skipped).
      ...(input.checkReason === undefined || input.detail.startsWith(input.checkReason)
        ? []
        : [`  Decided:   ${emailLine(input.checkReason, 1000)}`]),
    ]),
    ...section('WHAT THIS MEANS', [`  ${style.meaning(input, guardrailPathOf(options))}`]),
    ...section('INCIDENT', incidentLines(incident)),
    ...section('LINKS', linkLines(incident.resources, region, input.executionArn)),
    '',
    '--',
    'Rebound runbook report.',
    '',
  ].join('\n');
  const pages = input.page && style.severity === 'critical';
  // An update about a critical incident is critical too (it reaches the same people), but
  // pages only when its own outcome does.
  const severity: Severity =
    style.kind === 'incident-update' && incident.severity === 'critical'
      ? 'critical'
      : style.severity;
  return {
    severity,
    kind: style.kind,
    incidentId: incident.id,
    subject: renderSubject(
      style.label,
      `Runbook ${input.runbook} ${style.verb}: ${incident.title}`,
      incident.id,
    ),
    email,
    sms: pages
      ? renderSms(
          SMS_LABEL[style.severity],
          incident.resources[0]?.id ?? incident.title,
          `runbook ${input.runbook} ${style.verb}`,
          'Needs you.',
          incident.id,
        )
      : null,
  };
}
