import type { ReplayLine } from './replay-event.js';

/**
 * `--format text`: one block per replayed event for a person to read: where the event came
 * from, the rules it matched (or the closest one; the reason says why it missed), the signal,
 * the incident, the decision with its reason and notes (wrapped at 100 columns), and the alert
 * texts exactly as they would be sent.
 */

const LABEL_WIDTH = 10;
const TEXT_WIDTH = 100 - LABEL_WIDTH - 2;

/** A line broken at spaces into lines of at most TEXT_WIDTH (a longer word stays whole). */
const wrap = (line: string): string[] => {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > TEXT_WIDTH) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  return [...lines, current];
};

/**
 * `label     text`, continuation lines indented under the text; wrapped unless `verbatim`
 * (alert texts are shown as they are sent).
 */
const field = (label: string, text: string, verbatim = false): string => {
  const [first = '', ...rest] = text
    .split('\n')
    .flatMap((line) => (verbatim ? [line] : wrap(line)));
  const indent = ' '.repeat(LABEL_WIDTH + 2);
  return [`  ${label.padEnd(LABEL_WIDTH)}${first}`, ...rest.map((line) => `${indent}${line}`)]
    .map((line) => line.trimEnd())
    .join('\n');
};

const headerOf = (line: ReplayLine): string => {
  const where = line.position === null ? line.file : `${line.file} ${line.position}`;
  return line.eventId === null ? where : `${where}  (event ${line.eventId})`;
};

const routingOf = (line: ReplayLine): string[] => {
  if (line.matchedRules.length > 0) return [field('rules', line.matchedRules.join(', '))];
  if (line.closestRule === null) return [];
  // The reason below names the failing fields.
  return [field('rules', `none (closest: ${line.closestRule.name})`)];
};

export const formatReplayText = (line: ReplayLine): string => {
  const { signal, incident, decision, alerts } = line;
  const lines = [
    headerOf(line),
    ...routingOf(line),
    ...(signal === null
      ? []
      : [
          field('signal', `${signal.kind} ${signal.phase} (${signal.severity}): ${signal.summary}`),
        ]),
    ...(incident === null
      ? []
      : [field('incident', `${incident.id} (${incident.severity}, ${incident.status})`)]),
    field(
      'decision',
      decision.runbook === null ? decision.action : `${decision.action} ${decision.runbook}`,
    ),
    field('reason', decision.reason),
    ...line.notes.map((note) => field('note', note)),
    ...(line.error === undefined ? [] : [field('error', line.error)]),
    ...(alerts.email === null
      ? [field('email', 'none')]
      : [field('email', `${alerts.email.subject}\n\n${alerts.email.body}`, true)]),
    field('sms', alerts.sms ?? 'none', true),
  ];
  return `${lines.join('\n')}\n`;
};
