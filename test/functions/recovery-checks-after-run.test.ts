import { describe, expect, it } from 'vitest';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import type { RunbookOutcome } from '../../functions/lib/core/runbook-registry.js';
import { triageRecoveryCheck } from '../../functions/lib/core/stalled.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import type { ReportEvent } from '../../functions/lib/runbook/events.js';
import {
  type ReportDeps,
  reportRunbookOutcome,
} from '../../functions/lib/runbook/report-outcome.js';
import { RecordingTimer } from './support/recording-timer.js';
import { aHarness, aProblem, at, type Harness, recoveryOf } from './support/signals.js';
import { type Stores, storeImplementations } from './support/stores.js';

/**
 * Issue 11 §2, last part: a runbook run that ends and leaves its incident open (a dry run,
 * skipped, refused or rejected) gets the same one-shot recovery check as a promise of AWS's:
 * if the incident is still open then, it escalates (critical page) instead of staying open
 * unnoticed. A run that resolved its incident, or failed and paged, gets none. Time is the
 * harness's clock; each case runs in memory and on dynalite.
 */

const implementations = storeImplementations('after-run-checks');
const MEMORY = aProblem();

type World = Harness & { timer: RecordingTimer; report: ReportDeps };

const worldOf = async (makeStores: Stores): Promise<World> => {
  const { store, ledger } = await makeStores();
  const harness = aHarness({ store, ledger });
  const timer = new RecordingTimer();
  return {
    ...harness,
    deps: { ...harness.deps, timer },
    timer,
    report: {
      incidents: store,
      alerts: harness.alerts,
      render: (input) => renderRunbookOutcomeAlert(input, 'us-east-1'),
      clock: harness.clock,
      timer,
    },
  };
};

/** Triage opens the incident and starts replace-unhealthy-instance on i-0aaa. */
const triaged = async (world: World) => {
  const opened = await triageSignal(MEMORY, world.deps);
  const [start] = world.runbooks.started;
  if (opened.incident === null || start === undefined) throw new Error('no run started');
  return { incidentId: opened.incident.id, start };
};

const ended = (
  incidentId: string,
  start: { executionName: string; result: { executionArn: string } },
  outcome: RunbookOutcome,
): ReportEvent => ({
  runbook: 'replace-unhealthy-instance',
  outcome,
  target: { type: 'ec2-instance', id: 'i-0aaa' },
  detail: `run ended ${outcome}`,
  state: { guardrail: { incidentId } },
  execution: { id: start.result.executionArn, name: start.executionName },
});

describe.each(implementations)('a run that leaves its incident open (%s)', (_name, makeStores) => {
  it.each<RunbookOutcome>(['dry-run', 'skipped', 'refused'])(
    'schedules a check 30 minutes after a %s run, which escalates with a page if still open',
    async (outcome) => {
      // Prepare
      const world = await worldOf(makeStores);
      const { incidentId, start } = await triaged(world);
      const pagesBefore = world.alerts.pages.length;
      world.clock.current = at(10);

      // Act
      const reported = await reportRunbookOutcome(ended(incidentId, start, outcome), world.report);
      const [check] = world.timer.scheduled;
      if (check === undefined) throw new Error('no check scheduled');
      world.clock.current = at(40);
      const due = await triageRecoveryCheck(check, world.deps);

      // Assess
      expect(world.timer.scheduled).toEqual([
        {
          name: expect.stringMatching(/^inc-[0-9T]+-[0-9a-f]{8}-[0-9a-f]{8}$/),
          incidentId,
          partKey: MEMORY.partKey,
          dueAt: at(40).toISOString(),
        },
      ]);
      expect(reported.incidentStatus).not.toBe('resolved');
      const outcomeAlert = world.alerts.published.at(-2);
      expect(outcomeAlert?.sms).toBeNull();
      expect(outcomeAlert?.email).toContain(
        'Rebound escalates if it has not recovered by 03:44 UTC',
      );
      expect(due.decision.action).toBe('notify');
      expect(due.decision.reason).toContain('replace-unhealthy-instance already ran for it');
      expect(due.alert).toMatchObject({ kind: 'escalation', severity: 'critical' });
      expect(world.alerts.pages).toHaveLength(pagesBefore + 1);
      expect((await world.store.get(incidentId))?.status).toBe('escalated');
    },
  );

  it.each<[RunbookOutcome, string]>([
    ['succeeded', 'resolved'],
    ['failed', 'failed'],
  ])('schedules nothing after a %s run: the incident is %s', async (outcome, status) => {
    // Prepare
    const world = await worldOf(makeStores);
    const { incidentId, start } = await triaged(world);
    const pagesBefore = world.alerts.pages.length;

    // Act
    const reported = await reportRunbookOutcome(ended(incidentId, start, outcome), world.report);

    // Assess
    expect(reported.incidentStatus).toBe(status);
    expect(world.timer.scheduled).toEqual([]);
    // A failure pages once, from the report itself; no later check pages it again.
    expect(world.alerts.pages).toHaveLength(pagesBefore + (outcome === 'failed' ? 1 : 0));
  });

  it('cancels the check when the part recovers first, and the late check does nothing', async () => {
    // Prepare
    const world = await worldOf(makeStores);
    const { incidentId, start } = await triaged(world);
    await reportRunbookOutcome(ended(incidentId, start, 'skipped'), world.report);
    const [check] = world.timer.scheduled;
    if (check === undefined) throw new Error('no check scheduled');
    const pagesBefore = world.alerts.pages.length;

    // Act
    world.clock.current = at(20);
    const recovered = await triageSignal(recoveryOf(MEMORY), world.deps);
    world.clock.current = at(40);
    const late = await triageRecoveryCheck(check, world.deps);

    // Assess
    expect(recovered.decision.action).toBe('resolve');
    expect(world.timer.cancelled).toEqual([check.name]);
    expect(late.decision.action).toBe('ignore');
    expect(world.alerts.pages).toHaveLength(pagesBefore);
  });

  it('schedules one check when the report is delivered twice', async () => {
    // Prepare
    const world = await worldOf(makeStores);
    const { incidentId, start } = await triaged(world);
    const event = ended(incidentId, start, 'refused');

    // Act
    await reportRunbookOutcome(event, world.report);
    await reportRunbookOutcome(event, world.report);

    // Assess
    expect(world.timer.scheduled).toHaveLength(1);
  });

  it('schedules nothing for a run started by hand: the person who started it watches it', async () => {
    // Prepare
    const world = await worldOf(makeStores);
    const manual: ReportEvent = {
      ...ended(
        '',
        { executionName: 'manual-1', result: { executionArn: 'arn:x:manual-1' } },
        'skipped',
      ),
      state: {},
    };

    // Act
    const reported = await reportRunbookOutcome(manual, world.report);

    // Assess
    expect(reported.incidentStatus).toBe('open');
    expect(world.timer.scheduled).toEqual([]);
  });
});
