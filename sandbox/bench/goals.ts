/**
 * The cold-start and throughput goals of issue 13 and how `npm run bench` prints them: pure, so
 * the verdicts and the table are tested without measuring anything.
 */

import { tableLine } from './table.js';

export const GOALS = {
  /**
   * Every deployed bundle's entry: the modules a cold start loads (its chunks load later, with
   * the events that need them; the table prints those too), without the source maps.
   */
  maxBundleKb: 500,
  /** Cold load of every function, as a multiple of the empty handler's in the same run. */
  maxLoadRatio: 3.0,
  /** Triage is on the paging path of every incident: its cold start delays the first alert. */
  maxTriageLoadRatio: 2.0,
  minEventsPerSecond: 5000,
} as const;

export const median = (values: readonly number[]): number => {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** The load-ratio goal of one function. */
export const maxLoadRatioOf = (name: string): number =>
  name === 'triage' ? GOALS.maxTriageLoadRatio : GOALS.maxLoadRatio;

/** One measured module: a deployed function, or a reference (`goal: false`) printed beside them. */
export interface LoadRow {
  readonly name: string;
  /** What a cold start loads: the entry module and its static imports. */
  readonly bundleKb: number;
  /** What a typical first event has loaded when its alert goes out: the bundle and the chunks its path imports. */
  readonly firstEventKb: number;
  /** What the whole first event has loaded (the chunks imported after its alert too). */
  readonly wholeEventKb: number;
  /** Every module of the deployed package. */
  readonly shippedKb: number;
  /** Median wall time of a fresh process until the module is loaded, in ms. */
  readonly loadMs: number;
  /** Median wall time of a fresh process until the chunks loaded before the first alert are loaded too, in ms. */
  readonly firstEventMs: number;
  /** Median wall time until the chunks of the whole first event are loaded, in ms. */
  readonly wholeEventMs: number;
  /** Median CPU time of that process (all threads), in ms: a cross-check on a loaded machine. */
  readonly cpuMs: number;
  /** Deployed functions are held to the goals; the references are not. */
  readonly goal: boolean;
}

const verdict = (ok: boolean): string => (ok ? 'pass' : 'FAIL');

const COLUMNS = [
  ['function', 36],
  ['bundle', 9],
  [`≤${GOALS.maxBundleKb} KB`, 9],
  ['load', 10],
  ['× empty', 8],
  ['goal', 6],
  ['load ok', 8],
  ['CPU × empty', 12],
  ['+ first alert', 14],
  ['load + first alert', 19],
  ['× empty', 8],
  ['whole first event', 18],
  ['× empty', 8],
  ['shipped', 9],
] as const;

const line = (cells: readonly string[]): string => tableLine(COLUMNS, cells);

/**
 * The load table: one line per row, each ratio against `empty` (the empty handler, same run).
 * Beside the cold load, what a typical first event (for triage: an alarm that pages with live
 * state and starts a runbook) has loaded by the time its alert is published (the work the entry
 * defers to it, which delays the alert), then the time with the chunks the rest of that event
 * loads (and their size, when it differs).
 */
export const loadTable = (rows: readonly LoadRow[], empty: LoadRow): string[] => [
  line(COLUMNS.map(([title]) => title)),
  ...rows.map((row) => {
    const ratio = row.loadMs / empty.loadMs;
    const maxRatio = maxLoadRatioOf(row.name);
    return line([
      row.name,
      `${row.bundleKb.toFixed(0)} KB`,
      row.goal ? verdict(row.bundleKb <= GOALS.maxBundleKb) : '',
      `${row.loadMs.toFixed(1)} ms`,
      `${ratio.toFixed(2)}×`,
      row.goal ? `≤${maxRatio.toFixed(1)}` : '',
      row.goal ? verdict(ratio <= maxRatio) : '',
      `${(row.cpuMs / empty.cpuMs).toFixed(2)}×`,
      `${row.firstEventKb.toFixed(0)} KB`,
      `${row.firstEventMs.toFixed(1)} ms`,
      `${(row.firstEventMs / empty.loadMs).toFixed(2)}×`,
      `${row.wholeEventMs.toFixed(1)} ms${row.wholeEventKb === row.firstEventKb ? '' : ` (${row.wholeEventKb.toFixed(0)} KB)`}`,
      `${(row.wholeEventMs / empty.loadMs).toFixed(2)}×`,
      `${row.shippedKb.toFixed(0)} KB`,
    ]);
  }),
];

/** Which deployed functions miss a goal (bundle size or load ratio). */
export const functionsMissingGoals = (rows: readonly LoadRow[], empty: LoadRow): string[] =>
  rows
    .filter(
      (row) =>
        row.goal &&
        (row.bundleKb > GOALS.maxBundleKb || row.loadMs / empty.loadMs > maxLoadRatioOf(row.name)),
    )
    .map((row) => row.name);

/** The triage core's throughput beside the floor (reading and JSON-parsing the same events). */
export const throughputLine = (events: number, corePerSecond: number, floorPerSecond: number) =>
  `triage core: ${corePerSecond.toFixed(0)} events/s (${events} events; goal ≥${GOALS.minEventsPerSecond}: ${verdict(corePerSecond >= GOALS.minEventsPerSecond)}); floor, reading and JSON-parsing the same events: ${floorPerSecond.toFixed(0)} events/s`;
