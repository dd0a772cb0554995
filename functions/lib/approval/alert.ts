import type { Alert } from '../core/alert.js';
import { formatUtc, toSnsSubject } from '../core/alerts/text.js';
import { consoleLink, executionConsoleLink } from '../core/console-links.js';
import type { Incident } from '../core/incident.js';
import { collapseWhitespace, SMS_SEGMENT_LENGTH, toGsm7, truncateEnd } from '../sms.js';
import { cleanText } from './normalise.js';
import type { ApprovalRecord } from './ports.js';
import type { LinkDecision } from './token.js';

/**
 * The approval request alert: an email with everything needed to answer from a phone at 3 am
 * (links) or a terminal (CLI) and, when it pages, critical with one SMS segment that says an
 * answer is needed; otherwise it has its incident's severity and no SMS. The task token stays in
 * the store: the email names the request id only.
 */

export interface ApprovalAlertInput {
  readonly record: ApprovalRecord;
  readonly incident: Incident;
  /** Whether it pages (SMS): its incident is critical and had not paged (request.ts). */
  readonly page: boolean;
  /** The signed links; absent when approvals are IAM-only (the CLI way alone). */
  readonly links?: Readonly<Record<LinkDecision, string>>;
  readonly stage: string;
  readonly region: string;
  /** How long the request waits, for the wording. */
  readonly timeoutSeconds: number;
}

/**
 * The command answering request `approvalId` with `decision`, with the caller's own AWS
 * credentials: it names the request, never the task token (a credential that must not travel
 * by email).
 */
export const cliAnswer = (
  approvalId: string,
  decision: LinkDecision,
  stage: string,
  region: string,
): string =>
  `npm run runbook -- ${decision} ${approvalId} --by "<your name>" --reason "<why>" --stage ${stage} --region ${region}`;

const SMS_PREFIX = 'Rebound: approval needed to ';

/** `Rebound: approval needed to <action> (<incidentId>). See email.`, one GSM-7 segment. */
export const approvalSms = (action: string, incidentId: string): string => {
  const suffix = ` (${toGsm7(incidentId)}). See email.`;
  const budget = SMS_SEGMENT_LENGTH - SMS_PREFIX.length - [...suffix].length;
  const short = truncateEnd(collapseWhitespace(toGsm7(action.slice(0, 1000))), Math.max(budget, 3));
  return truncateEnd(`${SMS_PREFIX}${short}${suffix}`, SMS_SEGMENT_LENGTH);
};

export const renderApprovalAlert = (input: ApprovalAlertInput): Alert => {
  const { record, incident, links, region } = input;
  const action = cleanText(record.action, 1000);
  const runbook = cleanText(record.runbook, 80);
  const expires = formatUtc(record.expiresAt);
  const minutes = Math.round(input.timeoutSeconds / 60);
  const targetLink = consoleLink(record.target, region);
  const email = [
    `APPROVAL NEEDED - runbook ${runbook} wants to ${action}`,
    '',
    `Rebound does nothing until a person answers. If nobody answers by ${expires} (${minutes} min), nothing is done and the run escalates (incident marked failed, people paged).`,
    '',
    'WHAT WILL BE DONE',
    `  Runbook:   ${runbook}`,
    `  Action:    ${action}`,
    `  Target:    ${cleanText(record.target.type, 40)} ${cleanText(record.target.id, 255)}`,
    '',
    'WHY',
    `  Incident:  ${cleanText(incident.id, 64)} (${incident.severity}, ${incident.status})`,
    `  What:      ${cleanText(incident.title, 500)}`,
    `  Opened:    ${formatUtc(Math.floor(Date.parse(incident.openedAt) / 1000))}`,
    '',
    ...(links === undefined
      ? []
      : [
          'ANSWER (each link opens a page that asks your name and a reason; nothing happens until you confirm)',
          `  APPROVE:   ${links.approve}`,
          `  REJECT:    ${links.reject}`,
          `  Expires:   ${expires}. A link works once; the first answer wins.`,
          '',
        ]),
    links === undefined
      ? `ANSWER FROM A TERMINAL (in the Rebound repository, with your own AWS credentials: your IAM role decides whether you may answer; expires ${expires}, the first answer wins)`
      : 'OR FROM A TERMINAL (in the Rebound repository, with your own AWS credentials)',
    '  Approve:',
    `    ${cliAnswer(record.id, 'approve', input.stage, region)}`,
    '  Reject:',
    `    ${cliAnswer(record.id, 'reject', input.stage, region)}`,
    '',
    'LINKS',
    `  Execution: ${executionConsoleLink(record.executionArn, region)}`,
    ...(targetLink === undefined ? [] : [`  Target:    ${targetLink}`]),
    '',
    '--',
    `Rebound approval request ${record.id}. Who answered, when and why goes on the incident timeline.`,
    '',
  ].join('\n');
  const tail = ` (${incident.id})`;
  return {
    severity: input.page ? 'critical' : incident.severity,
    kind: 'approval-request',
    incidentId: incident.id,
    subject:
      toSnsSubject(`[APPROVAL NEEDED] ${runbook}: ${action}`, 99 - tail.length) +
      toSnsSubject(tail),
    email,
    sms: input.page ? approvalSms(record.action, incident.id) : null,
  };
};
