import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  billedTransitions,
  entriesOf,
  transitionTable,
  worstWaitSlackSeconds,
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

  it('takes the longest wait the run made between checks as its worst-case slack', async () => {
    // Act
    const { events } = await run();

    // Assess: it waited 30 s, then 60 s.
    expect(worstWaitSlackSeconds(events)).toBe(60);
    expect(worstWaitSlackSeconds(events.filter((e) => e.type !== 'StateEntered'))).toBe(0);
  });

  it('prints one line per runbook, typical then worst run', () => {
    // Act
    const lines = transitionTable([
      {
        runbook: 'rds-failover',
        typical: { transitions: 20, checks: 2, slackSeconds: 30 },
        worst: { transitions: 126, checks: 30, slackSeconds: 30 },
      },
    ]);

    // Assess
    expect(lines.map((text) => text.split(/\s+/))).toEqual([
      ['runbook', 'typical', 'checks', 'slack', 'worst', 'checks', 'slack'],
      ['rds-failover', '20', '2', '30', 's', '126', '30', '30', 's'],
    ]);
  });
});
