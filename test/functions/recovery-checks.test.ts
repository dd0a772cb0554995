import { describe, expect, it } from 'vitest';
import type { RecoveryTimer } from '../../functions/lib/core/ports.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageRecoveryCheck } from '../../functions/lib/core/stalled.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { RecordingTimer } from './support/recording-timer.js';
import { aHarness, aProblem, at, type Harness, recoveryOf } from './support/signals.js';
import { type Stores, storeImplementations } from './support/stores.js';

/**
 * Keep the promise in every alert (issue 11, section 2): a part AWS promised to heal by a time
 * gets a one-shot check at that time, cancelled by its recovery; a check that finds the part
 * still broken escalates (critical page, incident escalated) or starts the runbook that fits.
 * Time is the harness's clock; each case runs in memory and on dynalite.
 */

const implementations = storeImplementations('recovery-checks');

/** Auto Scaling could not launch an instance; AWS retries and heals this within 15 minutes. */
const launchFailed: Signal = aProblem({
  severity: 'warning',
  resource: { type: 'auto-scaling-group', id: 'rebound-prod-web' },
  related: [],
  partKey: 'asg-launch:rebound-prod-web',
  summary: 'rebound-prod-web: instance launch failed in us-east-1a',
  selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 },
  source: { ...aProblem().source, eventId: 'launch-failed-1', source: 'aws.autoscaling' },
});

/** An instance AWS is to replace by itself (its health checks fail) within 15 minutes. */
const instanceBeingReplaced: Signal = aProblem({
  severity: 'warning',
  partKey: 'alarm:rebound-prod-web-unhealthy-i-0aaa',
  selfHealing: { by: 'auto-scaling', expectedWithinSeconds: 900 },
});

const withTimer = async (makeStores: Stores): Promise<Harness & { timer: RecordingTimer }> => {
  const { store, ledger } = await makeStores();
  const harness = aHarness({ store, ledger });
  const timer = new RecordingTimer();
  return { ...harness, deps: { ...harness.deps, timer }, timer };
};

describe.each(implementations)('recovery checks (%s)', (_name, makeStores) => {
  it('schedules a check at the promised time and escalates with a page when it finds no recovery', async () => {
    // Prepare
    const harness = await withTimer(makeStores);
    const opened = await triageSignal(launchFailed, harness.deps);
    const incidentId = opened.incident?.id ?? '';

    // Act
    const [check] = harness.timer.scheduled;
    if (check === undefined) throw new Error('no check scheduled');
    harness.clock.current = at(15);
    const due = await triageRecoveryCheck(check, harness.deps);
    harness.clock.current = at(16);
    const redelivered = await triageRecoveryCheck(check, harness.deps);

    // Assess
    expect(harness.timer.scheduled).toEqual([
      {
        name: expect.stringMatching(/^inc-[0-9T]+-[0-9a-f]{8}-[0-9a-f]{8}$/),
        incidentId,
        partKey: 'asg-launch:rebound-prod-web',
        dueAt: at(15).toISOString(),
      },
    ]);
    expect(opened.alert?.sms).toBeNull();
    expect(due.decision).toMatchObject({ action: 'notify' });
    expect(due.decision.reason).toContain('not recovered by 03:19 UTC as expected');
    expect(due.decision.reason).toContain('Escalated');
    expect(due.alert).toMatchObject({ kind: 'escalation', severity: 'critical' });
    expect(harness.alerts.pages).toHaveLength(1);
    const incident = await harness.store.get(incidentId);
    expect(incident?.status).toBe('escalated');
    expect(incident?.lastPagedAt).toBe(at(15).toISOString());
    expect(redelivered.decision.action).toBe('ignore');
    expect(harness.alerts.published).toHaveLength(2);
  });

  it('publishes the alert before it schedules the check, and a failed schedule is retried without a second alert', async () => {
    // Prepare: what had been published when Scheduler was called; the first call fails.
    const harness = await withTimer(makeStores);
    const publishedBeforeSchedule: number[] = [];
    let failuresLeft = 1;
    const timer: RecoveryTimer = {
      schedule: async (check) => {
        publishedBeforeSchedule.push(harness.alerts.published.length);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('CreateSchedule failed (simulated)');
        }
        await harness.timer.schedule(check);
      },
      cancel: (name) => harness.timer.cancel(name),
    };
    const deps = { ...harness.deps, timer };

    // Act: the invocation fails on the schedule; Lambda retries it.
    await expect(triageSignal(launchFailed, deps)).rejects.toThrow('CreateSchedule failed');
    const retried = await triageSignal(launchFailed, deps);

    // Assess: the alert did not wait for Scheduler; the retry kept the promise and alerted no more.
    expect(publishedBeforeSchedule).toEqual([1, 1]);
    expect(harness.alerts.published).toHaveLength(1);
    expect(harness.timer.scheduled).toHaveLength(1);
    expect(retried.alert).toBeNull();
  });

  it('cancels the check when the recovery comes first, and a late check does nothing', async () => {
    // Prepare
    const harness = await withTimer(makeStores);
    await triageSignal(launchFailed, harness.deps);
    const [check] = harness.timer.scheduled;
    if (check === undefined) throw new Error('no check scheduled');

    // Act
    harness.clock.current = at(5);
    const recovered = await triageSignal(recoveryOf(launchFailed), harness.deps);
    harness.clock.current = at(15);
    const late = await triageRecoveryCheck(check, harness.deps);

    // Assess
    expect(recovered.decision.action).toBe('resolve');
    expect(harness.timer.cancelled).toEqual([check.name]);
    expect(late.decision.action).toBe('ignore');
    expect(late.alert).toBeNull();
    expect(harness.alerts.pages).toHaveLength(0);
  });

  it('starts the runbook that fits when AWS did not heal the part in time', async () => {
    // Prepare
    const harness = await withTimer(makeStores);
    const opened = await triageSignal(instanceBeingReplaced, harness.deps);
    const [check] = harness.timer.scheduled;
    if (check === undefined) throw new Error('no check scheduled');

    // Act
    harness.clock.current = at(15);
    const due = await triageRecoveryCheck(check, harness.deps);

    // Assess
    expect(opened.execution).toBeUndefined();
    expect(due.decision).toMatchObject({
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(harness.runbooks.started.map((call) => call.input.instanceId)).toEqual(['i-0aaa']);
    const incident = await harness.store.get(opened.incident?.id ?? '');
    expect(incident?.status).toBe('mitigating');
    expect(Object.values(incident?.runbookExecutions ?? {})).toEqual([
      harness.runbooks.started[0]?.result.executionArn,
    ]);
    expect(due.alert).toMatchObject({ kind: 'incident-update', sms: null });
  });

  it('still escalates, paging once, when the first publish of the escalation failed', async () => {
    // Prepare
    const harness = await withTimer(makeStores);
    await triageSignal(launchFailed, harness.deps);
    const [check] = harness.timer.scheduled;
    if (check === undefined) throw new Error('no check scheduled');
    harness.clock.current = at(15);
    harness.alerts.failuresLeft = 1;

    // Act
    await expect(triageRecoveryCheck(check, harness.deps)).rejects.toThrow('SNS Publish failed');
    harness.clock.current = at(16);
    const retried = await triageRecoveryCheck(check, harness.deps);
    const again = await triageRecoveryCheck(check, harness.deps);

    // Assess
    expect(retried.alert).toMatchObject({ kind: 'escalation' });
    expect(harness.alerts.pages).toHaveLength(1);
    expect(again.decision.action).toBe('ignore');
  });
});
