import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * What a runbook run costs on Step Functions and how late it notices a recovery, from the
 * executor's own events (aws-local-stepfunctions `eventLogs`), never hand-counted: pure, so the
 * counting and the table are tested without running anything.
 */

/** One event of a local run (the package exports the generator, not the event type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * The state transitions a Standard workflow bills for this run: every state entered, at any
 * depth (Parallel branches and Map iterations included), and every retry of a state (AWS
 * pricing: "state transitions, including retries").
 */
export const billedTransitions = (events: readonly EventLog[]): number =>
  events.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried').length;

/** How many times the run entered `state`. */
export const entriesOf = (events: readonly EventLog[], state: string): number =>
  events.filter((event) => event.type === 'StateEntered' && event.state.name === state).length;

/** The wait of a poll's Wait state, as the kit's pollStates writes it (`$.poll.seconds`). */
const pollSecondsOf = (input: unknown): number[] => {
  const seconds = (input as { poll?: { seconds?: unknown } } | null)?.poll?.seconds;
  return typeof seconds === 'number' ? [seconds] : [];
};

/**
 * The worst-case wait slack of the run's waits for a recovery, in seconds: a recovery that
 * comes right after a check is noticed only when the next check runs, so it is the longest
 * wait the run made between checks (each Wait state entered, reading the kit's `$.poll.seconds`).
 * 0 when the run never waited.
 */
export const worstWaitSlackSeconds = (events: readonly EventLog[]): number =>
  Math.max(
    0,
    ...events.flatMap((event) =>
      event.type === 'StateEntered' && event.state.type === 'Wait'
        ? pollSecondsOf(event.state.input)
        : [],
    ),
  );

/** One runbook's measured runs. */
export interface TransitionRow {
  readonly runbook: string;
  /** The run that acts and whose verify sees the recovery. */
  readonly typical: RunFigures;
  /** The run whose verify never sees the recovery, until it gives up and escalates. */
  readonly worst: RunFigures;
}

export interface RunFigures {
  readonly transitions: number;
  /** Calls of the verify step (the recovery checks). */
  readonly checks: number;
  readonly slackSeconds: number;
}

const COLUMNS = [
  ['runbook', 28],
  ['typical', 8],
  ['checks', 7],
  ['slack', 7],
  ['worst', 7],
  ['checks', 7],
  ['slack', 7],
] as const;

const line = (cells: readonly string[]): string =>
  cells
    .map((cell, index) => {
      const [, width] = COLUMNS[index] as (typeof COLUMNS)[number];
      return index === 0 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(' ')
    .trimEnd();

const seconds = (value: number): string => `${value} s`;

/** The transitions table: one line per runbook, typical then worst run. */
export const transitionTable = (rows: readonly TransitionRow[]): string[] => [
  line(COLUMNS.map(([title]) => title)),
  ...rows.map(({ runbook, typical, worst }) =>
    line([
      runbook,
      String(typical.transitions),
      String(typical.checks),
      seconds(typical.slackSeconds),
      String(worst.transitions),
      String(worst.checks),
      seconds(worst.slackSeconds),
    ]),
  ),
];
