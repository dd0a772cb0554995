import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  billedTransitions,
  entriesOf,
  pollRoundStates,
  pollRoundsOf,
  slackOf,
  transitionTable,
} from '../../sandbox/bench/transitions.js';
import { runLocallyWithEvents, taskError } from '../runbooks/support.js';

/**
 * `npm run bench`'s runbook figures, counted from the events aws-local-stepfunctions logs for
 * a real local run of a small definition whose transitions are known by construction.
 */

/** A poll of two checks (30 s, then 60 s) around a Task retried once, then a two-branch Parallel. */
const DEFINITION = {
  StartAt: 'Start',
  States: {
    Start: {
      Type: 'Pass',
      Parameters: { attempt: 0, seconds: 30, schedule: [30, 60] },
      ResultPath: '$.poll',
      Next: 'Wait',
    },
    Wait: { Type: 'Wait', SecondsPath: '$.poll.seconds', Next: 'Verify' },
    Verify: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:verify',
      Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 1, MaxAttempts: 1 }],
      ResultPath: '$.verify',
      Next: 'Recovered',
    },
    Recovered: {
      Type: 'Choice',
      Choices: [{ Variable: '$.verify.recovered', BooleanEquals: true, Next: 'Both' }],
      Default: 'NextCheck',
    },
    NextCheck: {
      Type: 'Pass',
      Parameters: { attempt: 1, seconds: 60, schedule: [30, 60] },
      ResultPath: '$.poll',
      Next: 'Wait',
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

const run = async () => {
  let calls = 0;
  return runLocallyWithEvents(
    DEFINITION,
    {},
    {
      taskResourceLocalHandlers: {
        Verify: async () => {
          calls += 1;
          if (calls === 1) throw taskError('Throttled', 'Rate exceeded');
          return { recovered: calls === 3 } as never;
        },
      },
      waitTimeOverrides: { Wait: 0 },
      retryIntervalOverrides: { Verify: 0 },
    },
  );
};

describe('bench runbook transitions', () => {
  it('counts every state entered, Parallel branches included, and every retry', async () => {
    // Act
    const { outcome, events } = await run();

    // Assess: Start, Wait, Verify (+1 retry), Recovered, NextCheck, Wait, Verify, Recovered, Both,
    // Left, Right.
    expect(outcome.status).toBe('succeeded');
    expect(billedTransitions(events)).toBe(12);
    expect(entriesOf(events, 'Verify')).toBe(2);
    expect(entriesOf(events, 'Wait')).toBe(2);
  });

  it('takes the last round for the slack of a run that recovered, the longest for the worst', async () => {
    // Act
    const { events } = await run();
    const rounds = pollRoundsOf(events, pollRoundStates(DEFINITION));

    // Assess: it waited 30 s, then 60 s, with no announcement.
    expect(rounds).toEqual([
      { seconds: 30, announced: false },
      { seconds: 60, announced: false },
    ]);
    expect(slackOf(rounds, 'last')).toBe(60);
    expect(slackOf(rounds, 'max')).toBe(60);
    expect(slackOf([], 'max')).toBe(0);
  });

  it('counts a round the announcement ended as no slack, one that timed out as its length', async () => {
    // Prepare: the rounds wait for a task token; the first times out, the second is answered.
    const announced = structuredClone(DEFINITION) as unknown as {
      States: Record<string, Record<string, unknown>>;
    };
    announced.States.Wait = {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken',
      TimeoutSeconds: 60,
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Verify' }],
      Next: 'Verify',
    };
    const definition = announced as unknown as StateMachineDefinition;
    let rounds = 0;
    let checks = 0;

    // Act
    const { events } = await runLocallyWithEvents(
      definition,
      {},
      {
        taskResourceLocalHandlers: {
          Wait: async () => {
            rounds += 1;
            if (rounds === 1) throw taskError('States.Timeout', 'Task timed out');
            return {} as never;
          },
          Verify: async () => {
            checks += 1;
            return { recovered: checks === 2 } as never;
          },
        },
      },
    );
    const found = pollRoundsOf(events, pollRoundStates(definition));

    // Assess
    expect([...pollRoundStates(definition)]).toEqual(['Wait']);
    expect(found).toEqual([
      { seconds: 30, announced: false },
      { seconds: 60, announced: true },
    ]);
    expect(slackOf(found, 'last')).toBe(0);
    expect(slackOf(found, 'max')).toBe(30);
  });

  it('prints one line per runbook, typical then worst run', () => {
    // Act
    const lines = transitionTable([
      {
        runbook: 'rds-failover',
        typical: { transitions: 20, checks: 2, slackSeconds: 0, announced: true },
        worst: { transitions: 126, checks: 30, slackSeconds: 30 },
      },
    ]);

    // Assess
    expect(lines.map((text) => text.split(/\s+/))).toEqual([
      ['runbook', 'typical', 'checks', 'slack', 'worst', 'checks', 'slack'],
      ['rds-failover', '20', '2', 'event', '126', '30', '30', 's'],
    ]);
  });
});
