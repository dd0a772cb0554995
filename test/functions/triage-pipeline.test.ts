import { afterEach, describe, expect, it } from 'vitest';
import { CORRELATION_WINDOW_MINUTES } from '../../functions/lib/core/correlate.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { IncidentConflictError, type IncidentStore } from '../../functions/lib/core/ports.js';
import { runbookExecutionName } from '../../functions/lib/core/runbook-registry.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import {
  aHarness,
  aProblem,
  at,
  expectEverySmsFitsOneSegment,
  recoveryOf,
  T0,
} from './support/signals.js';

afterEach(() => {
  expectEverySmsFitsOneSegment();
});

const stored = async (store: IncidentStore, id: string | undefined): Promise<Incident> => {
  const incident = id === undefined ? undefined : await store.get(id);
  if (incident === undefined) throw new Error(`incident ${id} not stored`);
  return incident;
};

describe('triageSignal', () => {
  it('ignores an event that classified to no signal', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(null, harness.deps);

    // Assess
    expect(outcome).toMatchObject({ signal: null, incident: null, alert: null });
    expect(outcome.decision.action).toBe('ignore');
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.published).toEqual([]);
  });

  it('records a new problem, starts its runbook, pages and records what it did', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(aProblem(), harness.deps);

    // Assess
    const incident = await stored(harness.store, outcome.incident?.id);
    const executionName = runbookExecutionName(incident.id, 'i-0aaa');
    expect(outcome.incident).toEqual(incident);
    expect(incident.status).toBe('mitigating');
    expect(incident.timeline.map((entry) => entry.type)).toEqual([
      'signal',
      'decision',
      'status',
      'runbook',
      'alert',
    ]);
    expect(incident.timeline[1]).toMatchObject({
      type: 'decision',
      action: 'runbook',
      runbook: 'replace-unhealthy-instance',
    });
    expect(incident.timeline[3]).toMatchObject({
      type: 'runbook',
      status: 'started',
      executionName,
    });
    expect(incident.timeline[4]).toMatchObject({ type: 'alert', severity: 'critical', sms: true });
    expect(incident.runbookExecutions).toEqual({
      [executionName]: harness.runbooks.started[0]?.result.executionArn,
    });
    expect(incident.lastPagedAt).toBe(T0.toISOString());
    // The decision with the intent to start, the run with the page claim, the alert line.
    expect(incident.version).toBe(3);
    expect(harness.runbooks.calls).toEqual([
      {
        runbook: 'replace-unhealthy-instance',
        executionName,
        input: expect.objectContaining({ instanceId: 'i-0aaa', incidentId: incident.id }),
        result: expect.objectContaining({ status: 'started' }),
      },
    ]);
    expect(harness.alerts.published).toHaveLength(1);
    expect(harness.alerts.published[0]).toMatchObject({
      kind: 'incident-opened',
      incidentId: incident.id,
      severity: 'critical',
    });
    expect(outcome.alert).toEqual(harness.alerts.published[0]);
    expect(outcome.execution).toMatchObject({ status: 'started', executionName });
  });

  it("in dry-run mode pages with the stage's exact command to run the runbook by hand", async () => {
    // Prepare
    const harness = aHarness({ guardrails: { mode: 'dry-run' } });

    // Act
    const outcome = await triageSignal(aProblem(), harness.deps);

    // Assess
    const [alert] = harness.alerts.published;
    const incidentId = outcome.incident?.id ?? '';
    const instanceId = aProblem().resource.id;
    expect(alert?.email.split('\n')[1]).toMatch(/^ACTION NEEDED: Rebound will not act\./);
    expect(alert?.email).toContain(
      `    echo '{"instanceId":"${instanceId}","alarmName":"rebound-prod-mem-i-0aaa","incidentId":"${incidentId}"}' > rebound-run.json`,
    );
    expect(alert?.email).toContain(
      '    npm run runbook -- replace-unhealthy-instance --stage prod --region us-east-1 --input rebound-run.json',
    );
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it('keeps the incident open and starts nothing when automation is off', async () => {
    // Prepare
    const harness = aHarness({ guardrails: { mode: 'off' } });

    // Act
    const outcome = await triageSignal(aProblem(), harness.deps);

    // Assess
    const incident = await stored(harness.store, outcome.incident?.id);
    expect(incident.status).toBe('open');
    expect(incident.timeline.map((entry) => entry.type)).toEqual(['signal', 'decision', 'alert']);
    expect(incident.timeline[1]).toMatchObject({ action: 'notify', blockedBy: 'mode-off' });
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it.each([2, 5, 10])(
    'acts once on the same signal delivered %i times in a row',
    async (deliveries) => {
      // Prepare
      const harness = aHarness();

      // Act
      for (let delivery = 0; delivery < deliveries; delivery += 1) {
        harness.clock.current = at(delivery / 10);
        await triageSignal(aProblem(), harness.deps);
      }

      // Assess
      expect(harness.runbooks.calls).toHaveLength(1);
      expect(harness.alerts.published).toHaveLength(1);
      const [incident] = await harness.store.findActive(['az:us-east-1a']);
      expect(incident?.timeline.filter((entry) => entry.type === 'decision')).toHaveLength(1);
    },
  );

  it('acts once on the same signal delivered 10 times concurrently', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => triageSignal(aProblem(), harness.deps)),
    );

    // Assess
    expect(new Set(outcomes.map((outcome) => outcome.incident?.id)).size).toBe(1);
    expect(harness.runbooks.started).toHaveLength(1);
    expect(harness.alerts.published).toHaveLength(1);
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it('starts the runbook on redelivery when the first start failed, exactly once', async () => {
    // Prepare
    const harness = aHarness();
    harness.runbooks.failuresLeft = 1;

    // Act
    const first = triageSignal(aProblem(), harness.deps);
    await expect(first).rejects.toThrow('StartExecution failed');
    harness.clock.current = at(1);
    const retry = await triageSignal(aProblem(), harness.deps);
    harness.clock.current = at(2);
    await triageSignal(aProblem(), harness.deps);

    // Assess
    const incident = await stored(harness.store, retry.incident?.id);
    expect(retry.alert?.kind).toBe('incident-opened');
    expect(harness.runbooks.calls).toHaveLength(1);
    expect(harness.runbooks.started).toHaveLength(1);
    expect(Object.keys(incident.runbookExecutions)).toEqual([
      runbookExecutionName(incident.id, 'i-0aaa'),
    ]);
    expect(incident.status).toBe('mitigating');
    expect(harness.alerts.published.map((alert) => alert.kind)).toEqual(['incident-opened']);
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it('still sends the alert on redelivery when the first publish failed', async () => {
    // Prepare
    const harness = aHarness();
    harness.alerts.failuresLeft = 1;

    // Act
    await expect(triageSignal(aProblem(), harness.deps)).rejects.toThrow('SNS Publish failed');
    harness.clock.current = at(1);
    const retry = await triageSignal(aProblem(), harness.deps);
    harness.clock.current = at(2);
    await triageSignal(aProblem(), harness.deps);

    // Assess
    const incident = await stored(harness.store, retry.incident?.id);
    expect(harness.alerts.published.map((alert) => [alert.kind, alert.sms !== null])).toEqual([
      ['incident-opened', true],
    ]);
    expect(harness.runbooks.started).toHaveLength(1);
    expect(incident.timeline.filter((entry) => entry.type === 'alert')).toHaveLength(1);
    expect(incident.lastPagedAt).toBe(at(1).toISOString());
  });

  it('retries when a concurrent writer updated the incident first', async () => {
    // Prepare
    const inner = new MemoryIncidentStore();
    let conflicts = 1;
    const racy = Object.assign(Object.create(inner) as MemoryIncidentStore, {
      findActive: (keys: readonly string[]) => inner.findActive(keys),
      get: (id: string) => inner.get(id),
      create: (incident: Incident) => inner.create(incident),
      update: async (incident: Incident) => {
        if (conflicts > 0) {
          conflicts -= 1;
          // Another writer stores its own version first, then ours loses the race.
          const current = await inner.get(incident.id);
          if (current !== undefined) {
            await inner.update({ ...current, version: current.version + 1 });
          }
          throw new IncidentConflictError(`${incident.id} changed`);
        }
        return inner.update(incident);
      },
    });
    const harness = aHarness({ store: racy });
    await triageSignal(aProblem(), harness.deps);

    // Act
    harness.clock.current = at(1);
    const second = aProblem({
      severity: 'warning',
      resource: { type: 'ec2-instance', id: 'i-0bbb' },
      partKey: 'alarm:rebound-prod-mem-i-0bbb',
      source: { ...aProblem().source, eventId: 'event-2' },
    });
    const outcome = await triageSignal(second, harness.deps);

    // Assess
    const incident = await stored(inner, outcome.incident?.id);
    expect(conflicts).toBe(0);
    expect(incident.parts.map((part) => part.key)).toEqual([
      'alarm:rebound-prod-mem-i-0aaa',
      'alarm:rebound-prod-mem-i-0bbb',
    ]);
    expect(Object.keys(incident.runbookExecutions)).toHaveLength(2);
    expect(harness.runbooks.started).toHaveLength(2);
  });

  it('resolves the incident when its last part recovers and says so once', async () => {
    // Prepare
    const harness = aHarness();
    const opened = await triageSignal(aProblem(), harness.deps);

    // Act
    harness.clock.current = at(20);
    const resolved = await triageSignal(recoveryOf(aProblem()), harness.deps);
    harness.clock.current = at(21);
    const again = await triageSignal(recoveryOf(aProblem()), harness.deps);

    // Assess
    const incident = await stored(harness.store, opened.incident?.id);
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: at(20).toISOString() });
    expect(resolved.decision.action).toBe('resolve');
    expect(again.decision.action).toBe('ignore');
    expect(harness.alerts.published.map((alert) => [alert.kind, alert.sms])).toEqual([
      ['incident-opened', expect.any(String)],
      ['incident-resolved', null],
    ]);
    // Its keys are released, but its AZ's, held for the correlation window (store-rules.ts).
    const zoneKeys = incident.scopeKeys.filter((key) => key.startsWith('az:'));
    expect(
      await harness.store.findActive(incident.scopeKeys.filter((key) => !zoneKeys.includes(key))),
    ).toEqual([]);
    expect(await harness.store.findActive(zoneKeys)).toEqual([incident]);
  });

  it('opens a second incident for the same AZ after the window while the first is still open', async () => {
    // Prepare
    const harness = aHarness();
    const first = await triageSignal(aProblem(), harness.deps);
    const late = aProblem({
      resource: { type: 'ec2-instance', id: 'i-0bbb' },
      partKey: 'alarm:rebound-prod-mem-i-0bbb',
      // Sent late too: an event as old as the window would be held back (freshness.ts).
      source: {
        ...aProblem().source,
        eventId: 'event-late',
        time: at(CORRELATION_WINDOW_MINUTES + 5).toISOString(),
      },
    });

    // Act
    harness.clock.current = at(CORRELATION_WINDOW_MINUTES + 5);
    const second = await triageSignal(late, harness.deps);
    harness.clock.current = at(CORRELATION_WINDOW_MINUTES + 6);
    const recovery = await triageSignal(recoveryOf(late), harness.deps);

    // Assess
    expect(second.incident?.id).not.toBe(first.incident?.id);
    expect(second.decision.action).toBe('runbook');
    expect(recovery.incident?.id).toBe(second.incident?.id);
    expect(recovery.decision.action).toBe('resolve');
    expect((await stored(harness.store, first.incident?.id)).status).toBe('mitigating');
  });
});
