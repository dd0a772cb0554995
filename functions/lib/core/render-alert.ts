import type { Severity } from '../severity.js';
import {
  collapseWhitespace,
  SMS_SEGMENT_LENGTH,
  toGsm7,
  toGsmSegment,
  transliterate,
  truncateEnd,
  truncateMiddle,
} from '../sms.js';
import type { Alert, AlertKind, ResourceState, TriageAlertInput } from './alert.js';
import { consoleLink, executionConsoleLink } from './console-links.js';
import type { Decision } from './decision.js';
import { GUARDRAIL_PARAMETERS, type Guardrails, guardrailParameterPath } from './guardrails.js';
import type { Incident } from './incident.js';
import type { AwsSelfHealing, ResourceRef, SignalKind } from './signal.js';

/** SNS rejects subjects of 100 characters or more ("less than 100 characters long"). */
export const SNS_SUBJECT_MAX_LENGTH = 99;

const isPrintableAscii = (character: string): boolean => {
  const code = character.codePointAt(0) ?? 0;
  return character.length === 1 && code >= 0x20 && code <= 0x7e;
};

/** Printable ASCII, one line, at most `max` (default 99) characters: safe as an SNS Subject. */
export const toSnsSubject = (text: string, max = SNS_SUBJECT_MAX_LENGTH): string =>
  truncateEnd(collapseWhitespace(transliterate(text, isPrintableAscii)), max);

/**
 * Renders the alerts triage and the runbooks send: an SNS subject, an email for a tired engineer
 * at 3 am (does she need to act, what happened, what it breaks, what Rebound does and why, live
 * state, links) and, when a page is due, a one-segment SMS. Pure, and never throws on odd text:
 * every value is sanitised and bounded.
 */

export interface AlertRenderOptions {
  /**
   * Where the guardrail parameters live (`guardrailParameterPath(stage)`), to name the exact
   * parameter to change when a guardrail stopped an action.
   * @default '/rebound/<stage>/guardrails/'
   */
  readonly guardrailPath?: string;
}

export type RunbookOutcome = 'succeeded' | 'failed' | 'dry-run' | 'skipped' | 'refused';

export interface RunbookOutcomeAlertInput {
  readonly incident: Incident;
  readonly runbook: string;
  readonly outcome: RunbookOutcome;
  readonly detail: string;
  readonly executionArn?: string;
  readonly page: boolean;
}

/** Input is cut to this many UTF-16 units before any per-character work (10 KB summaries…). */
const MAX_INPUT = 4000;
const MAX_STATE_LINES = 30;
const MAX_LINKS = 8;
/** Real console links are far shorter; a longer one comes from a corrupt id and helps nobody. */
const MAX_URL = 2500;
/** SNS prefixes SMS from topics with the topic's display name: keep room under 160. */
const SMS_MAX = SMS_SEGMENT_LENGTH;

/** One line of email text: well-formed, no control or format characters, bounded. */
const field = (value: string, max = 500): string =>
  truncateEnd(
    collapseWhitespace(
      String(value)
        .slice(0, MAX_INPUT)
        .toWellFormed()
        .replace(/[\p{Cc}\p{Cf}]/gu, ' '),
    ),
    max,
  );

/** One line of GSM 03.38 basic characters, bounded. */
const gsm = (value: string, max: number): string =>
  truncateEnd(collapseWhitespace(toGsm7(String(value).slice(0, MAX_INPUT))), max);

/** `2026-11-26 03:04:12 UTC`. */
export const formatUtc = (epochSeconds: number): string =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** `2026-11-26 03:04:12 UTC`, or the sanitised text when it is not a date. */
const formatTime = (iso: string): string => {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return field(iso, 64);
  return formatUtc(Math.floor(millis / 1000));
};

const formatDuration = (seconds: number): string =>
  seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;

const HEADLINE: Readonly<Record<AlertKind, string>> = {
  'incident-opened': 'NEW INCIDENT',
  'incident-update': 'INCIDENT UPDATE',
  'incident-resolved': 'RESOLVED',
  'runbook-succeeded': 'RUNBOOK SUCCEEDED',
  'runbook-failed': 'RUNBOOK FAILED',
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

/** Which guardrail parameter a `blockedBy` (or a runbook's refusal detail) points at. */
const GUARDRAIL_HINTS: readonly {
  readonly match: RegExp;
  readonly key: keyof Guardrails;
  readonly how: string;
}[] = [
  { match: /cooldown/i, key: 'cooldownMinutes', how: 'lower it to act on a resource sooner' },
  {
    match: /ceiling|max-scale-out-capacity/i,
    key: 'maxScaleOutCapacity',
    how: 'raise it to let scale-out add more instances',
  },
  {
    match: /scale-out-step/i,
    key: 'scaleOutStep',
    how: 'set it to the number of instances one scale-out adds',
  },
  {
    // Ledger budgets are named after the runbook's bucket: "2 scale outs in the last hour".
    match: /scale out|database failover|cache failover|az evacuation/i,
    key: 'maxActionsPerHour',
    how: 'raise it to allow more runs of this runbook per rolling hour',
  },
  {
    match: /budget|replacement/i,
    key: 'maxInstanceReplacementsPerHour',
    how: 'raise it to allow more replacements per rolling hour',
  },
  {
    match: /healthy|floor/i,
    key: 'minHealthyInstances',
    how: 'lower it to allow acting with fewer healthy instances left',
  },
  {
    match: /enabled|disabled/i,
    key: 'enabledRunbooks',
    how: 'add the runbook to its comma-separated list',
  },
  {
    match: /mode|kill/i,
    key: 'mode',
    how: 'set it to "auto" to let runbooks act ("dry-run" checks only, "off" starts nothing)',
  },
];

const guardrailHint = (text: string, path: string): string => {
  const hint = GUARDRAIL_HINTS.find(({ match }) => match.test(text));
  const settle = 'Rebound picks up a change within a minute.';
  if (hint === undefined) {
    return `Guardrails are SSM parameters under ${path}; change the one named above. ${settle}`;
  }
  return `To change it: SSM parameter ${path}${GUARDRAIL_PARAMETERS[hint.key]}: ${hint.how}. ${settle}`;
};

const resourceLabel = (resource: ResourceRef): string =>
  `${resource.type} ${field(resource.id, 200)}`;

/** `[LABEL] <headline> (<incident id>)`: the incident id always survives the 99-char cut. */
const renderSubject = (label: string, headline: string, incidentId: string): string => {
  const prefix = `[${label}] `;
  const suffix = ` (${toSnsSubject(String(incidentId).slice(0, MAX_INPUT), 40)})`;
  const room = Math.max(1, SNS_SUBJECT_MAX_LENGTH - prefix.length - suffix.length);
  return toSnsSubject(prefix + toSnsSubject(headline.slice(0, MAX_INPUT), room) + suffix);
};

/** `<head> <name> <what>. <tail> <incident id>`: name and tail kept, `what` fills the room. */
const renderSms = (head: string, name: string, what: string, tail: string, id: string): string => {
  const fixedName = truncateMiddle(gsm(name, MAX_INPUT), 30);
  const fixedTail = `${gsm(tail, 60)} ${gsm(id, 40)}`;
  const room = SMS_MAX - head.length - fixedName.length - fixedTail.length - 4;
  const body = room > 3 ? `${gsm(what, room)}. ` : '';
  return toGsmSegment(`${head} ${fixedName} ${body}${fixedTail}`, SMS_MAX);
};

const linkLines = (resources: readonly ResourceRef[], region: string, executionArn?: string) => {
  const seen = new Set<string>();
  const lines: string[] = [];
  const execution = executionArn === undefined ? '' : executionConsoleLink(executionArn, region);
  if (execution !== '' && execution.length <= MAX_URL) {
    lines.push('  Runbook execution:', `  ${execution}`);
  }
  for (const resource of resources) {
    const key = `${resource.type}:${resource.id}`;
    const url = consoleLink(resource, region);
    if (seen.has(key) || url === undefined || url.length > MAX_URL) continue;
    seen.add(key);
    if (seen.size > MAX_LINKS) break;
    lines.push(`  ${resourceLabel(resource)}:`, `  ${url}`);
  }
  return lines.length > 0 ? lines : ['  (no console page for these resources)'];
};

const incidentLines = (incident: Incident): string[] => {
  const open = incident.parts.filter((part) => part.state === 'active').length;
  return [
    `  Id:          ${field(incident.id, 80)}`,
    `  Title:       ${field(incident.title)}`,
    `  Status:      ${field(incident.status, 40)}`,
    `  Severity:    ${field(incident.severity, 40)}`,
    `  Open parts:  ${open} of ${incident.parts.length}`,
    `  Opened at:   ${formatTime(incident.openedAt)}`,
    `  Timeline:    ${incident.timeline.length} entries`,
  ];
};

const stateLines = (state: ResourceState | undefined): string[] => {
  if (state === undefined) return ['  live state unavailable: not looked up'];
  const lines = state.lines.slice(0, MAX_STATE_LINES).map((line) => `  ${field(line, 300)}`);
  if (state.lines.length > lines.length) {
    lines.push(`  ... and ${state.lines.length - lines.length} more`);
  }
  if (state.unavailable !== undefined) {
    lines.unshift(`  live state unavailable: ${field(state.unavailable, 300)}`);
  }
  return lines.length > 0 ? lines : ['  (no live state reported)'];
};

const section = (title: string, lines: readonly string[]): string[] => ['', title, ...lines];

// --- triage alerts ------------------------------------------------------------------------

const runbookName = (decision: Decision): string =>
  decision.runbook === null ? 'a runbook' : field(decision.runbook, 80);

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
        return `Wanted to run ${runbookName(decision)}, but guardrail "${field(decision.blockedBy, 80)}" stopped it.`;
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
  const lines = [`  ${actionSentence(input)}`, `  Why: ${field(decision.reason, 1000)}`];
  if (decision.blockedBy !== undefined) {
    lines.push(`  ${guardrailHint(decision.blockedBy, guardrailPath)}`);
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

const SMS_LABEL: Readonly<Record<Severity, string>> = { critical: 'CRIT', warning: 'WARN' };

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
  const guardrailPath = options.guardrailPath ?? guardrailParameterPath('<stage>');
  const email = [
    `${label} - ${HEADLINE[kind]}: ${field(signal.resource.id, 200)} - ${field(signal.summary)}`,
    callToAction(input),
    ...section('WHAT HAPPENED', [
      `  ${field(signal.summary, 1000)}`,
      `  Resource:  ${resourceLabel(signal.resource)}`,
      `  Time:      ${formatTime(signal.source.time)}`,
      `  AZ:        ${signal.availabilityZone === undefined ? 'not known' : field(signal.availabilityZone, 40)}`,
      `  Phase:     ${signal.phase} (${field(signal.kind, 40)}, ${severity})`,
    ]),
    ...section('IMPACT', [`  ${impact(input)}`]),
    ...section('WHAT REBOUND DID / WILL DO, AND WHY', actionLines(input, guardrailPath)),
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
    `Rebound triage. Event ${field(signal.source.eventId, 128)} (${field(signal.source.source, 64)} / ` +
      `${field(signal.source.detailType, 128)}), account ${field(signal.source.account, 20)}, ` +
      `region ${field(signal.source.region, 30)}.`,
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

// --- runbook outcome alerts ---------------------------------------------------------------

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
    meaning: (_input, path) =>
      'The runbook checked what it would do and changed nothing, because automation runs in ' +
      `dry-run mode. ${guardrailHint('mode', path)}`,
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
      'ACTION NEEDED: a guardrail stopped the runbook, so the problem may still be there. ' +
      guardrailHint(input.detail.slice(0, MAX_INPUT), path),
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
  const runbook = field(input.runbook, 80);
  const guardrailPath = options.guardrailPath ?? guardrailParameterPath('<stage>');
  const email = [
    `${style.label} - RUNBOOK ${runbook} ${style.verb}: ${field(incident.title)}`,
    ...section('WHAT HAPPENED', [
      `  Runbook:   ${runbook}`,
      `  Outcome:   ${outcome}`,
      `  Detail:    ${field(input.detail, 1000)}`,
    ]),
    ...section('WHAT THIS MEANS', [`  ${style.meaning(input, guardrailPath)}`]),
    ...section('INCIDENT', incidentLines(incident)),
    ...section('LINKS', linkLines(incident.resources, region, input.executionArn)),
    '',
    '--',
    'Rebound runbook report.',
    '',
  ].join('\n');
  const pages = input.page && style.severity === 'critical';
  return {
    severity: style.severity,
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
          `${SMS_LABEL[style.severity]} runbook`,
          input.runbook,
          `${style.verb}: ${incident.title}`,
          'Needs you.',
          incident.id,
        )
      : null,
  };
}
