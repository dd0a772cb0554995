import type { GameDayResult } from './game-day.js';
import { offset, timelineOf } from './report.js';

/**
 * A picture of one game day, as plain SVG: capacity (desired, InService, healthy targets) over
 * time, the shop's alarms in ALARM as bars, the runbook runs as bars, and the fault, detection,
 * recovery and resolution as marked lines.
 */

const WIDTH = 960;
const LEFT = 170;
const RIGHT = 20;
const CHART_TOP = 50;
const CHART_HEIGHT = 160;

const xmlText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const timelineSvg = (result: GameDayResult): string => {
  const { measures } = result;
  const start = measures.faultAt - 2 * 60_000;
  const end = Math.max(result.endedAt, start + 60_000);
  const x = (at: number) => LEFT + ((at - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const samples = result.samples.filter((s) => s.at >= start);
  const top = Math.max(
    1,
    ...samples.map((s) => Math.max(s.desired, s.inService, s.healthyTargets)),
  );
  const y = (value: number) => CHART_TOP + CHART_HEIGHT - (value / top) * CHART_HEIGHT;
  const series = (
    pick: (s: (typeof samples)[number]) => number,
    color: string,
    label: string,
    row: number,
  ) => {
    const points = samples.map((s) => `${x(s.at).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
    return [
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
      `<text x="10" y="${CHART_TOP + 15 + row * 16}" fill="${color}">${label}</text>`,
    ].join('');
  };

  // Alarm bars: from each OK → ALARM transition to the next ALARM → OK (or the end).
  const bars: { label: string; from: number; to: number; color: string }[] = [];
  for (const t of result.alarmTransitions) {
    if (t.to !== 'ALARM') continue;
    const cleared = result.alarmTransitions.find(
      (u) => u.alarm === t.alarm && u.at > t.at && u.to === 'OK',
    );
    bars.push({
      label: t.alarm.replace(/^rebound-[a-z0-9-]+?-(?=[a-z]+-)/, ''),
      from: t.at,
      to: cleared?.at ?? end,
      color: '#d9534f',
    });
  }
  for (const e of result.executions) {
    bars.push({
      label: e.runbook,
      from: e.startedAt,
      to: e.endedAt ?? end,
      color: e.status === 'FAILED' ? '#a94442' : '#337ab7',
    });
  }
  const barTop = CHART_TOP + CHART_HEIGHT + 30;
  const barSvg = bars.map((bar, index) => {
    const top = barTop + index * 22;
    return [
      `<text x="10" y="${top + 13}">${xmlText(bar.label)}</text>`,
      `<rect x="${x(bar.from).toFixed(1)}" y="${top}" width="${Math.max(2, x(bar.to) - x(bar.from)).toFixed(1)}" height="16" fill="${bar.color}"/>`,
    ].join('');
  });
  const marksTop = barTop + bars.length * 22 + 10;
  const marks = timelineOf(result).filter((item) =>
    ['fault', 'detection', 'recovery', 'resolution'].includes(item.kind),
  );
  const colors: Record<string, string> = {
    fault: '#d9534f',
    detection: '#f0ad4e',
    recovery: '#5cb85c',
    resolution: '#2e7d32',
  };
  const markSvg = marks.map((mark, index) =>
    [
      `<line x1="${x(mark.at).toFixed(1)}" x2="${x(mark.at).toFixed(1)}" y1="${CHART_TOP}" y2="${marksTop}" stroke="${colors[mark.kind]}" stroke-dasharray="4 3"/>`,
      `<text x="${(x(mark.at) + 3).toFixed(1)}" y="${marksTop + 14 + index * 14}" fill="${colors[mark.kind]}">${mark.kind} ${offset(measures.faultAt, mark.at)}</text>`,
    ].join(''),
  );
  const height = marksTop + 20 + marks.length * 14;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${xmlText(`Game day ${result.scenario.name} (${result.options.mode}): capacity, alarms and runbook runs from the fault to the resolution`)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="10" y="22" font-size="15" font-weight="bold">${xmlText(`${result.scenario.name} (${result.options.mode}, seed ${result.options.seed}): ${result.scenario.title}`)}</text>`,
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${CHART_TOP + CHART_HEIGHT}" y2="${CHART_TOP + CHART_HEIGHT}" stroke="#999"/>`,
    `<text x="${LEFT - 20}" y="${CHART_TOP + 5}">${top}</text>`,
    series((s) => s.desired, '#777', 'desired', 0),
    series((s) => s.inService, '#337ab7', 'InService', 1),
    series((s) => s.healthyTargets, '#5cb85c', 'healthy targets', 2),
    ...barSvg,
    ...markSvg,
    '</svg>',
  ].join('\n');
};
