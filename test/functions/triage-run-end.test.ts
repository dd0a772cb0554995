import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import { classify } from '../../functions/lib/core/classify.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { reportRunbookOutcome } from '../../functions/lib/runbook/report-outcome.js';
import { RecordingTimer } from './support/recording-timer.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, aProblem, at, type Harness } from './support/signals.js';

/**
 * Step Functions tells triage of every run that ended FAILED, TIMED_OUT or ABORTED ("Step
 * Functions Execution Status Change", the AWS sample in test/fixtures/events/states/; its detail
 * names the execution and its state machine). A run that escalated ends FAILED by design after
 * its Escalate step recorded the failure and paged: that end must not open a second incident or
 * page again. A run that ended without a word must page, once, on the incident it worked for.
 */

const RUNBOOK = 'replace-unhealthy-instance';
const STATE_MACHINE = `rebound-prod-${RUNBOOK}`;
const INVENTORY = { ...SHOP, runbookStateMachineNames: [STATE_MACHINE] };

/** The documented sample, about `executionName` of the runbook, ended with `status`. */
const runEnded = (executionName: string, status: string, eventId = 'sfn-event-1'): Signal => {
  const sample = JSON.parse(
    readFileSync(
      new URL('../fixtures/events/states/execution-failed.json', import.meta.url),
      'utf8',
    ),
  );
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:${STATE_MACHINE}:${executionName}`;
  const parsed = parseIncomingEvent({
    ...sample,
    id: eventId,
    time: at(40).toISOString(),
    resources: [executionArn],
    detail: {
      ...sample.detail,
      executionArn,
      stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${STATE_MACHINE}`,
      name: executionName,
      status,
    },
  });
  const event = parsed.ok ? parsed.events[0] : undefined;
  const signal = event === undefined ? null : classify(event, INVENTORY);
  if (signal === null) throw new Error('the run end must classify');
  return signal;
};

describe('triage: a runbook run that ended badly', () => {
  let harness: Harness;
  let incidentId: string;
  let executionName: string;

  beforeEach(async () => {
    // Prepare: a gray failure opens a critical incident (its one page) and starts the runbook.
    harness = aHarness();
    const opened = await triageSignal(aProblem(), harness.deps);
    incidentId = opened.incident?.id ?? '';
    executionName = opened.execution?.executionName ?? '';
    expect(opened.execution?.status).toBe('started');
    harness.clock.current = at(40);
  });

  const escalate = () =>
    reportRunbookOutcome(
      {
        runbook: RUNBOOK,
        outcome: 'failed',
        target: { type: 'ec2-instance', id: 'i-0aaa' },
        state: {
          guardrail: { incidentId },
          error: { Error: 'AutoScaling.AutoScalingException', Cause: 'Rate exceeded' },
        },
        execution: {
          id: `arn:aws:states:us-east-1:123456789012:execution:${STATE_MACHINE}:${executionName}`,
          name: executionName,
        },
      },
      {
        incidents: harness.store,
        alerts: harness.alerts,
        render: (input) => renderRunbookOutcomeAlert(input, 'us-east-1'),
        clock: harness.clock,
        timer: new RecordingTimer(),
      },
    );

  it('records the FAILED end of a run that escalated itself on its incident: no second incident, no page', async () => {
    // Prepare: the run's Escalate step recorded the failure and paged.
    await escalate();
    const pagesBefore = harness.alerts.pages.length;

    // Act
    const outcome = await triageSignal(runEnded(executionName, 'FAILED'), harness.deps);

    // Assess
    expect(outcome.alert).toBeNull();
    expect(outcome.decision.action).toBe('suppress');
    expect(outcome.incident?.id).toBe(incidentId);
    expect(harness.alerts.pages).toHaveLength(pagesBefore);
    expect(harness.alerts.published.map((alert) => alert.incidentId)).toEqual(
      harness.alerts.published.map(() => incidentId),
    );
    const stored = await harness.store.get(incidentId);
    expect(stored?.status).toBe('failed');
    expect(stored?.timeline.at(-2)).toMatchObject({ type: 'signal', kind: 'runbook-failure' });
  });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])(
    'escalates the incident of a run that ended %s without a word, with one page however often it is told',
    async (status) => {
      // Prepare: the incident paged when it opened; an escalation pages whatever paged before.
      const pagesBefore = harness.alerts.pages.length;
      const ended = runEnded(executionName, status);

      // Act
      const first = await triageSignal(ended, harness.deps);
      const redelivered = await triageSignal(ended, harness.deps);

      // Assess
      expect(first.incident?.id).toBe(incidentId);
      expect(first.alert).toMatchObject({ kind: 'escalation', incidentId });
      expect(redelivered.alert).toBeNull();
      expect(harness.alerts.pages).toHaveLength(pagesBefore + 1);
      const stored = await harness.store.get(incidentId);
      expect(stored?.status).toBe('failed');
      expect(stored?.resolvedAt).toBeUndefined();
      expect(stored?.lastPagedAt).toBe(at(40).toISOString());
    },
  );
});
