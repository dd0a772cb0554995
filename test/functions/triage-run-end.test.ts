import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import { classify } from '../../functions/lib/core/classify.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { IncidentConflictError } from '../../functions/lib/core/ports.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { MemoryIncidentStore } from '../../functions/lib/memory-store.js';
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

/** An incident store that loses the race of its next `losses` updates, as DynamoDB's condition would. */
class RacingStore extends MemoryIncidentStore {
  losses = 0;
  override async update(incident: Incident): Promise<void> {
    if (this.losses > 0) {
      this.losses -= 1;
      throw new IncidentConflictError('another writer was first (simulated)');
    }
    return super.update(incident);
  }
}

/** The documented sample, about `executionName` of the runbook, ended with `status`. */
const runEnded = (
  executionName: string,
  status: string,
  eventId = 'sfn-event-1',
  replayName?: string,
): Signal => {
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
    ...(replayName === undefined ? {} : { 'replay-name': replayName }),
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
  let store: RacingStore;
  let incidentId: string;
  let executionName: string;

  beforeEach(async () => {
    // Prepare: a gray failure opens a critical incident (its one page) and starts the runbook.
    store = new RacingStore();
    harness = aHarness({ store });
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

  it('pages on the retry when the escalation of a silent end could not be sent, and after a lost race', async () => {
    // Prepare: the first write loses a race; the first publish fails (SNS), so the invocation
    // is retried with the same event.
    const ended = runEnded(executionName, 'FAILED');
    const pagesBefore = harness.alerts.pages.length;
    store.losses = 1;
    harness.alerts.failuresLeft = 1;

    // Act
    const failed = await triageSignal(ended, harness.deps).catch((error: unknown) => error);
    const retried = await triageSignal(ended, harness.deps);

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(retried.incident?.id).toBe(incidentId);
    expect(retried.alert).toMatchObject({ kind: 'escalation' });
    expect(harness.alerts.pages).toHaveLength(pagesBefore + 1);
  });

  it('ties only the runs it named to their incident, and lets no replayed end page', async () => {
    // Prepare: a run started by hand with a name of its own, one naming an incident that does
    // not exist, one replayed from the archive, and the run triage started.
    const byHand = runEnded('nightly-check', 'FAILED', 'sfn-by-hand');
    const unknown = runEnded('inc-20261126T0000-deadbeef--i-0aaa', 'FAILED', 'sfn-unknown');
    const replayed = runEnded(executionName, 'FAILED', 'sfn-replayed', 'night-replay');
    const ours = runEnded(executionName, 'FAILED', 'sfn-ours');

    // Act
    const outcomes = [];
    for (const signal of [byHand, unknown, replayed, ours]) {
      outcomes.push(await triageSignal(signal, harness.deps));
    }

    // Assess: the first two are runbook failures of their own; the replay pages nobody.
    const [handOutcome, unknownOutcome, replayOutcome, oursOutcome] = outcomes;
    expect(handOutcome?.incident?.id).not.toBe(incidentId);
    expect(unknownOutcome?.incident?.id).not.toBe(incidentId);
    expect(replayOutcome?.alert?.sms ?? null).toBeNull();
    expect(oursOutcome?.incident?.id).toBe(incidentId);
    expect(oursOutcome?.alert).toMatchObject({ kind: 'escalation', incidentId });
  });
});
