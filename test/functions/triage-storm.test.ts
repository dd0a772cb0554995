import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../functions/lib/core/incident.js';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import {
  aHarness,
  at,
  expectEverySmsFitsOneSegment,
  type Harness,
  recoveryOf,
  stormAlarm,
} from './support/signals.js';

/**
 * An alarm storm: 300 instance alarms of one AZ within a minute must make one incident, one
 * page and a couple of emails, not 300 of each.
 */

afterEach(() => {
  expectEverySmsFitsOneSegment();
});

const STORM = 300;
const BUDGET = 2;
const alarms = Array.from({ length: STORM }, (_, n) => stormAlarm(n));

/** Triage in auto mode whose runbooks claim the ledger as soon as they start, like the real ones. */
const stormHarness = (): Harness => {
  const harness = aHarness({ guardrails: { maxInstanceReplacementsPerHour: BUDGET } });
  const start = harness.runbooks.start.bind(harness.runbooks);
  harness.runbooks.start = async (runbook, executionName, input) => {
    const result = await start(runbook, executionName, input);
    const budget = RUNBOOKS.find((row) => row.name === runbook)?.budget.bucket ?? runbook;
    const resourceId = String(input.instanceId);
    await harness.ledger.claim(
      { budget, maxPerHour: BUDGET, resourceId, cooldownMinutes: 15 },
      harness.clock.now(),
    );
    return result;
  };
  return harness;
};

const onlyIncident = async (harness: Harness): Promise<Incident> => {
  const ids = new Set(harness.alerts.published.map((alert) => alert.incidentId));
  expect(ids.size).toBe(1);
  const [id] = ids;
  const incident = id === undefined ? undefined : await harness.store.get(id);
  if (incident === undefined) throw new Error('no incident stored');
  return incident;
};

describe('alarm storm in one AZ', () => {
  it('makes one incident, pages once and batches emails, then resolves once', async () => {
    // Prepare
    const harness = stormHarness();

    // Act: 300 alarms within one minute, then every one back to OK a few minutes later.
    const outcomes = [];
    for (const [n, alarm] of alarms.entries()) {
      harness.clock.current = at(n / STORM);
      outcomes.push(await triageSignal(alarm, harness.deps));
    }
    const alertsDuringStorm = harness.alerts.published.length;
    for (const [n, alarm] of alarms.entries()) {
      harness.clock.current = at(5 + n / STORM);
      outcomes.push(await triageSignal(recoveryOf(alarm), harness.deps));
    }

    // Assess
    const incident = await onlyIncident(harness);
    expect(new Set(outcomes.map((outcome) => outcome.incident?.id))).toEqual(
      new Set([incident.id]),
    );
    expect(incident.parts).toHaveLength(STORM);
    expect(incident.parts.every((part) => part.state === 'resolved')).toBe(true);
    expect(incident.status).toBe('resolved');
    expect(
      incident.timeline.filter((entry) => entry.type === 'status' && entry.to === 'resolved'),
    ).toHaveLength(1);
    expect(alertsDuringStorm).toBeLessThanOrEqual(2);
    expect(harness.alerts.pages).toHaveLength(1);
    expect(
      harness.alerts.published.filter((alert) => alert.kind === 'incident-resolved'),
    ).toHaveLength(1);
    expect(harness.alerts.published.at(-1)?.kind).toBe('incident-resolved');
    expect(harness.runbooks.started).toHaveLength(BUDGET);
    expect(outcomes.filter((outcome) => outcome.decision.blockedBy === 'budget').length).toBe(
      STORM - BUDGET,
    );
  });

  it('makes one incident when the 300 alarms arrive concurrently', async () => {
    // Prepare
    const harness = stormHarness();

    // Act
    const outcomes = await Promise.all(alarms.map((alarm) => triageSignal(alarm, harness.deps)));

    // Assess
    const incident = await onlyIncident(harness);
    expect(new Set(outcomes.map((outcome) => outcome.incident?.id))).toEqual(
      new Set([incident.id]),
    );
    expect(incident.parts).toHaveLength(STORM);
    expect(incident.status).toBe('mitigating');
    expect(harness.alerts.published.length).toBeLessThanOrEqual(2);
    expect(harness.alerts.pages).toHaveLength(1);
    expect(harness.runbooks.started.length).toBeLessThanOrEqual(BUDGET);
  });
});
