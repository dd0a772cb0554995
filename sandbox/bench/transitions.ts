import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { tableLine } from './table.js';

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

/**
 * The poll rounds of a definition, at any depth: the Wait states that wait the kit's
 * `$.poll.seconds` (runbooks/kit/verify-loop.ts), and the Tasks that wait for AWS's
 * announcement instead (runbooks/kit/announced-recovery.ts): a `.waitForTaskToken` Task whose
 * timeout (`States.Timeout`) goes on where its answer does.
 */
export const pollRoundStates = (definition: StateMachineDefinition): Set<string> => {
  const rounds = new Set<string>();
  const visit = (states: Readonly<Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      const fields = state as Record<string, unknown>;
      if (fields.SecondsPath === '$.poll.seconds' || isAnnouncementRound(fields)) rounds.add(name);
      for (const branch of (fields.Branches ?? []) as { States: Record<string, unknown> }[]) {
        visit(branch.States);
      }
      const processor = (fields.ItemProcessor ?? fields.Iterator) as
        | { States: Record<string, unknown> }
        | undefined;
      if (processor !== undefined) visit(processor.States);
    }
  };
  visit(definition.States as Readonly<Record<string, unknown>>);
  return rounds;
};

const isAnnouncementRound = (state: Readonly<Record<string, unknown>>): boolean =>
  state.Type === 'Task' &&
  typeof state.Resource === 'string' &&
  state.Resource.endsWith('.waitForTaskToken') &&
  ((state.Catch ?? []) as { ErrorEquals: string[]; Next: string }[]).some(
    (rule) => rule.ErrorEquals.includes('States.Timeout') && rule.Next === state.Next,
  );

/** One poll round of a run: how long it could last, and whether AWS's announcement ended it. */
export interface PollRound {
  readonly seconds: number;
  readonly announced: boolean;
}

/**
 * The run's poll rounds, in order. A round ends with the next event of its state: a Task that
 * exits was answered (the announcement came); one that fails or is caught timed out, as a Wait
 * ends, after `$.poll.seconds`.
 */
export const pollRoundsOf = (
  events: readonly EventLog[],
  roundStates: ReadonlySet<string>,
): PollRound[] => {
  const rounds: PollRound[] = [];
  events.forEach((event, index) => {
    if (event.type !== 'StateEntered' || !roundStates.has(event.state.name)) return;
    const seconds = (event.state.input as { poll?: { seconds?: unknown } } | null)?.poll?.seconds;
    const end = events
      .slice(index + 1)
      .find((later) => 'state' in later && later.state.name === event.state.name);
    rounds.push({
      seconds: typeof seconds === 'number' ? seconds : 0,
      announced: event.state.type === 'Task' && end?.type === 'StateExited',
    });
  });
  return rounds;
};

/**
 * How late a run may notice a recovery, in seconds: a recovery right after a check is noticed
 * at the end of the round, so a round's slack is its length, or 0 when the announcement ended it
 * (plus the event's delivery, seconds). `last`: the round that ended with the recovery seen (the
 * typical run); `max`: any round (the worst run, where it might have come at any time).
 */
export const slackOf = (rounds: readonly PollRound[], which: 'last' | 'max'): number => {
  const slacks = rounds.map((round) => (round.announced ? 0 : round.seconds));
  return which === 'last' ? (slacks.at(-1) ?? 0) : Math.max(0, ...slacks);
};

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
  /** Whether AWS's announcement ended the round that noticed the recovery. */
  readonly announced?: boolean;
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

const line = (cells: readonly string[]): string => tableLine(COLUMNS, cells);

const slack = ({ slackSeconds, announced }: RunFigures): string =>
  announced === true ? 'event' : `${slackSeconds} s`;

/** The transitions table: one line per runbook, typical then worst run. */
export const transitionTable = (rows: readonly TransitionRow[]): string[] => [
  line(COLUMNS.map(([title]) => title)),
  ...rows.map(({ runbook, typical, worst }) =>
    line([
      runbook,
      String(typical.transitions),
      String(typical.checks),
      slack(typical),
      String(worst.transitions),
      String(worst.checks),
      slack(worst),
    ]),
  ),
];
