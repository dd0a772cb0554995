import type { Severity } from '../../severity.js';
import { SMS_SEGMENT_LENGTH, toGsmSegment, truncateMiddle } from '../../sms.js';
import type { ResourceState } from '../alert.js';
import { consoleLink, executionConsoleLink } from '../console-links.js';
import { guardrailParameterPath } from '../guardrails.js';
import type { Incident } from '../incident.js';
import type { ResourceRef } from '../signal.js';
import {
  emailLine,
  formatTime,
  MAX_INPUT,
  SNS_SUBJECT_MAX_LENGTH,
  smsText,
  toSnsSubject,
} from './text.js';

/**
 * The frame every Rebound email, subject and SMS shares: subject line, sections, incident
 * summary, live state, console links and the one-segment SMS. Pure; never throws.
 */

export interface AlertRenderOptions {
  /**
   * Where the guardrail parameters live (`guardrailParameterPath(stage)`), to name the exact
   * parameter to change when a guardrail stopped an action.
   * @default '/rebound/<stage>/guardrails/'
   */
  readonly guardrailPath?: string;
  /**
   * The stage the alert is about, for the `npm run runbook --stage` command it offers.
   * @default '<stage>'
   */
  readonly stage?: string;
}

export const guardrailPathOf = (options: AlertRenderOptions): string =>
  options.guardrailPath ?? guardrailParameterPath('<stage>');

const MAX_STATE_LINES = 30;
const MAX_LINKS = 8;
/** Real console links are far shorter; a longer one comes from a corrupt id and helps nobody. */
const MAX_URL = 2500;

export const SMS_LABEL: Readonly<Record<Severity, string>> = { critical: 'CRIT', warning: 'WARN' };

export const resourceLabel = (resource: ResourceRef): string =>
  `${resource.type} ${emailLine(resource.id, 200)}`;

/**
 * `[LABEL] <headline>[, <name>] (<incident id>)`: the incident id and the resource name always
 * survive the 99-char cut; the headline (what is wrong) fills the room between them.
 */
export const renderSubject = (
  label: string,
  headline: string,
  incidentId: string,
  name?: string,
): string => {
  const prefix = `[${label}] `;
  const named =
    name === undefined
      ? ''
      : `, ${truncateMiddle(toSnsSubject(name.slice(0, MAX_INPUT), 200), 30)}`;
  const suffix = `${named} (${toSnsSubject(String(incidentId).slice(0, MAX_INPUT), 40)})`;
  const room = Math.max(1, SNS_SUBJECT_MAX_LENGTH - prefix.length - suffix.length);
  return toSnsSubject(prefix + toSnsSubject(headline.slice(0, MAX_INPUT), room) + suffix);
};

/**
 * `<head> <what> - <name>. <tail> <incident id>`: what is wrong first, the resource once; name
 * and tail kept, `what` fills the room left in one segment.
 */
export const renderSms = (
  head: string,
  name: string,
  what: string,
  tail: string,
  id: string,
): string => {
  const fixedName = truncateMiddle(smsText(name, MAX_INPUT), 30);
  const fixedTail = `${smsText(tail, 60)} ${smsText(id, 40)}`;
  const room = SMS_SEGMENT_LENGTH - head.length - fixedName.length - fixedTail.length - 6;
  const body = room > 3 ? `${smsText(what, room)} - ` : '';
  return toGsmSegment(`${head} ${body}${fixedName}. ${fixedTail}`, SMS_SEGMENT_LENGTH);
};

export const section = (title: string, lines: readonly string[]): string[] => ['', title, ...lines];

export const linkLines = (
  resources: readonly ResourceRef[],
  region: string,
  executionArn?: string,
): string[] => {
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

/** At most this many parts are listed one by one. */
const MAX_PART_LINES = 10;

/**
 * What happened to each part of an incident of several (one AZ outage: the web tier, the
 * database's failover, AWS Health's AZ issue): a line each, open or recovered.
 */
const partLines = (incident: Incident): string[] => {
  if (incident.parts.length < 2) return [];
  const lines = incident.parts.slice(0, MAX_PART_LINES).map((part) => {
    const state =
      part.state === 'active'
        ? `open since ${formatTime(part.since)}`
        : `recovered at ${formatTime(part.resolvedAt ?? part.since)}`;
    return `    - ${emailLine(`${part.kind} ${part.resource.id}: ${state}`, 200)}`;
  });
  const more = incident.parts.length - lines.length;
  return more > 0 ? [...lines, `    ... and ${more} more`] : lines;
};

export const incidentLines = (incident: Incident): string[] => {
  const open = incident.parts.filter((part) => part.state === 'active').length;
  return [
    `  Id:          ${emailLine(incident.id, 80)}`,
    `  Title:       ${emailLine(incident.title)}`,
    `  Status:      ${emailLine(incident.status, 40)}`,
    `  Severity:    ${emailLine(incident.severity, 40)}`,
    ...(incident.availabilityZone === undefined
      ? []
      : [`  AZ:          ${emailLine(incident.availabilityZone, 40)}`]),
    `  Open parts:  ${open} of ${incident.parts.length}`,
    ...partLines(incident),
    `  Opened at:   ${formatTime(incident.openedAt)}`,
    `  Timeline:    ${incident.timeline.length} entries`,
  ];
};

export const stateLines = (state: ResourceState | undefined): string[] => {
  if (state === undefined) return ['  live state unavailable: not looked up'];
  const lines = state.lines.slice(0, MAX_STATE_LINES).map((line) => `  ${emailLine(line, 300)}`);
  if (state.lines.length > lines.length) {
    lines.push(`  ... and ${state.lines.length - lines.length} more`);
  }
  if (state.unavailable !== undefined) {
    lines.unshift(`  live state unavailable: ${emailLine(state.unavailable, 300)}`);
  }
  return lines.length > 0 ? lines : ['  (no live state reported)'];
};
