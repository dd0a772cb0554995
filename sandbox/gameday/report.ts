import { formatIncident } from '../incidents-cli/incidents-cli.js';
import { describeEvent } from './aws-events.js';
import type { GameDayResult } from './game-day.js';
import type { Verdict } from './objectives.js';

/**
 * The game day as a person reads it: the timeline from fault to resolution, the alerts exactly
 * as delivered (email and SMS), the incident record (as `npm run incidents -- show` prints it),
 * the measured times against the objective, and one summary table for all scenarios.
 */

export type TimelineKind =
  | 'fault'
  | 'alarm'
  | 'detection'
  | 'decision'
  | 'action'
  | 'alert'
  | 'recovery'
  | 'resolution'
  | 'runbook';

export interface TimelineItem {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly text: string;
}

/** `+2m05s` after the fault. */
export const offset = (faultAt: number, at: number): string => {
  const total = Math.round((at - faultAt) / 1000);
  const sign = total < 0 ? '-' : '+';
  const abs = Math.abs(total);
  return `${sign}${Math.floor(abs / 60)}m${String(abs % 60).padStart(2, '0')}s`;
};

const duration = (seconds: number | undefined): string =>
  seconds === undefined
    ? '—'
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;

const since = (from: number, to: number | undefined) =>
  to === undefined ? undefined : Math.round((to - from) / 1000);

export const timelineOf = (result: GameDayResult): TimelineItem[] => {
  const { measures } = result;
  const { title, buildsUpMinutes } = result.scenario;
  const items: TimelineItem[] = [
    {
      at: measures.faultAt,
      kind: 'fault',
      text:
        buildsUpMinutes === undefined
          ? title
          : `${title} (it hurts from here, after ${buildsUpMinutes} min of build-up)`,
    },
  ];
  for (const t of result.alarmTransitions) {
    if (t.at >= measures.faultAt)
      items.push({ at: t.at, kind: 'alarm', text: `${t.alarm} ${t.from} → ${t.to}` });
  }
  let detected = false;
  for (const d of result.deliveries) {
    const what = describeEvent(d.event);
    if (typeof d.outcome === 'string') {
      items.push({
        at: d.at,
        kind: 'decision',
        text: `${what}: ${d.outcome === 'duplicate' ? 'a repeat, dropped (idempotency)' : d.outcome}`,
      });
      continue;
    }
    const { decision, incident } = d.outcome;
    if (!detected && incident !== null && d.at >= measures.faultAt) {
      detected = true;
      items.push({ at: d.at, kind: 'detection', text: `${what} opens ${incident.id}` });
    }
    items.push({
      at: d.at,
      kind: 'decision',
      text: `${what}: ${decision.action}${decision.runbook === null ? '' : ` ${decision.runbook}`} — ${decision.reason}`,
    });
  }
  for (const e of result.executions) {
    items.push({
      at: e.startedAt,
      kind: 'runbook',
      text: `runbook ${e.runbook} started (${e.input.dryRun === 'true' ? 'dry run' : 'acts'}, ${e.name})`,
    });
    if (e.endedAt !== undefined)
      items.push({
        at: e.endedAt,
        kind: 'runbook',
        text: `runbook ${e.runbook} ${e.status}${e.error === undefined ? '' : `: ${e.error}`}`,
      });
  }
  for (const c of result.changes)
    items.push({ at: c.at, kind: 'action', text: `${c.call} ${c.target}` });
  for (const a of result.alerts)
    items.push({
      at: a.at,
      kind: 'alert',
      text: `${a.alert.sms === null ? 'email' : 'email + SMS'}: ${a.alert.subject}`,
    });
  if (measures.recoveredAt !== undefined)
    items.push({
      at: measures.recoveredAt,
      kind: 'recovery',
      text: 'the shop serves as configured again',
    });
  if (measures.resolvedAt !== undefined)
    items.push({ at: measures.resolvedAt, kind: 'resolution', text: 'every incident resolved' });
  const order: TimelineKind[] = [
    'fault',
    'alarm',
    'detection',
    'decision',
    'runbook',
    'action',
    'alert',
    'recovery',
    'resolution',
  ];
  return items.sort((a, b) => a.at - b.at || order.indexOf(a.kind) - order.indexOf(b.kind));
};

/** The Region the shop runs in (its target group's ARN says). */
const regionOf = (result: GameDayResult): string =>
  result.settings.targetGroup.arn.split(':')[3] ?? 'us-east-1';

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');

export const formatReport = (result: GameDayResult, verdict: Verdict): string => {
  const { measures, scenario, options } = result;
  const f = measures.faultAt;
  const lines = [
    `GAME DAY  ${scenario.name} — ${scenario.title}  (mode ${options.mode}, seed ${options.seed})`,
    '',
    'TIMELINE (from the fault)',
    ...timelineOf(result).map(
      (item) => `  ${offset(f, item.at).padStart(8)}  ${item.kind.padEnd(10)} ${item.text}`,
    ),
    '',
    `ALERTS AS DELIVERED (${result.alerts.length})`,
    ...result.alerts.flatMap(({ at, alert }) => [
      `  --- ${offset(f, at)} email: ${alert.subject}`,
      indent(alert.email, '      '),
      `  --- ${offset(f, at)} SMS: ${alert.sms ?? 'none'}`,
    ]),
    '',
    'INCIDENT RECORD',
    ...result.incidents.map((incident) =>
      indent(formatIncident(incident, regionOf(result), new Date(result.endedAt)), '  '),
    ),
    '',
    'MEASURES',
    `  time to detect   ${duration(since(f, measures.detectedAt))}`,
    `  time to act      ${duration(since(f, measures.actedAt))}${measures.actedAt === undefined ? ' (AWS heals it; Rebound watches)' : ''}`,
    `  time to recover  ${duration(since(f, measures.recoveredAt))}`,
    `  MTTR             ${duration(verdict.mttrSeconds)} (objective ${scenario.objectiveMinutes}m)`,
    ...(measures.escalatedAt === undefined
      ? []
      : [
          `  time to escalate ${duration(since(f, measures.escalatedAt))} (handed over to a person)`,
        ]),
    `  lost events      ${result.lostEvents}`,
    '',
    `RESULT  ${verdict.pass ? 'PASS' : 'FAIL'}`,
    ...(scenario.knownDefect === undefined ? [] : [`  known defect: ${scenario.knownDefect}`]),
    ...verdict.checks.map(
      (check) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.detail}`,
    ),
  ];
  return lines.join('\n');
};

/** One line per game day: the one-screen summary. */
export const formatSummary = (
  rows: readonly { readonly result: GameDayResult; readonly verdict: Verdict }[],
): string => {
  const header = [
    'scenario',
    'mode',
    'detect',
    'act',
    'recover',
    'MTTR',
    'escalate',
    'objective',
    'incidents',
    'pages',
    'changes',
    'result',
  ];
  const table = rows.map(({ result, verdict }) => {
    const { measures: m } = result;
    return [
      result.scenario.name,
      result.options.mode,
      duration(since(m.faultAt, m.detectedAt)),
      duration(since(m.faultAt, m.actedAt)),
      duration(since(m.faultAt, m.recoveredAt)),
      duration(verdict.mttrSeconds),
      duration(since(m.faultAt, m.escalatedAt)),
      `${result.scenario.objectiveMinutes}m`,
      String(result.incidents.length),
      String(result.alerts.filter(({ alert }) => alert.sms !== null).length),
      String(result.changes.length),
      verdict.pass ? 'PASS' : 'FAIL',
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n');
};
