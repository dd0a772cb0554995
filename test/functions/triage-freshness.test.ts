import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { MAX_EVENT_AGE_MINUTES } from '../../functions/lib/core/freshness.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, aProblem, at, T0 } from './support/signals.js';

/** Issue 11 §4: replayed and old events are recorded and rendered, but never act nor page. */

const replayed = () =>
  aProblem({ source: { ...aProblem().source, replayName: 'triage-replay-1' } });

const sentAt = (time: Date) =>
  aProblem({ source: { ...aProblem().source, time: time.toISOString() } });

describe('triage of events that are not live', () => {
  it('records and renders an event replayed from the archive but starts nothing and pages nobody', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(replayed(), harness.deps);

    // Assess
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.pages).toEqual([]);
    expect(harness.alerts.published).toHaveLength(1);
    expect(outcome.decision).toMatchObject({
      action: 'notify',
      runbook: 'replace-unhealthy-instance',
      heldBack: 'replayed',
    });
    expect(outcome.decision.reason).toContain('replayed from the archive (replay triage-replay-1)');
    const email = harness.alerts.published[0]?.email ?? '';
    expect(email).toContain('Recorded only: the event was replayed from the archive');
    expect(email).toContain('no runbook and no page');
    const incident = outcome.incident;
    expect(incident?.status).toBe('open');
    expect(incident?.runbookExecutions).toEqual({});
    expect(incident?.lastPagedAt).toBeUndefined();
    expect(incident?.timeline.map((entry) => entry.type)).toEqual(['signal', 'decision', 'alert']);
  });

  it(`holds back an event older than ${MAX_EVENT_AGE_MINUTES} minutes by the triage clock`, async () => {
    // Prepare
    const harness = aHarness();
    harness.clock.current = at(MAX_EVENT_AGE_MINUTES + 1);

    // Act
    const outcome = await triageSignal(sentAt(T0), harness.deps);

    // Assess
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.pages).toEqual([]);
    expect(harness.alerts.published).toHaveLength(1);
    expect(outcome.decision).toMatchObject({ action: 'notify', heldBack: 'stale' });
    expect(outcome.decision.reason).toContain(
      `the event is ${MAX_EVENT_AGE_MINUTES + 1} min old, more than ${MAX_EVENT_AGE_MINUTES} min`,
    );
    expect(harness.alerts.published[0]?.email).toContain('too old to act on');
  });

  it('holds back an event whose time cannot be read', async () => {
    // Prepare
    const harness = aHarness();

    // Act
    const outcome = await triageSignal(
      aProblem({ source: { ...aProblem().source, time: 'yesterday' } }),
      harness.deps,
    );

    // Assess
    expect(harness.runbooks.calls).toEqual([]);
    expect(harness.alerts.pages).toEqual([]);
    expect(outcome.decision.heldBack).toBe('stale');
  });

  it(`still acts on a live event ${MAX_EVENT_AGE_MINUTES - 1} minutes old`, async () => {
    // Prepare
    const harness = aHarness();
    harness.clock.current = at(MAX_EVENT_AGE_MINUTES - 1);

    // Act
    const outcome = await triageSignal(sentAt(T0), harness.deps);

    // Assess
    expect(outcome.decision.action).toBe('runbook');
    expect(outcome.decision.heldBack).toBeUndefined();
    expect(harness.runbooks.started).toHaveLength(1);
    expect(harness.alerts.pages).toHaveLength(1);
  });

  it("carries the envelope's replay-name from the parsed event into the signal", () => {
    // Prepare: the documented Auto Scaling sample, as an archive replay delivers it.
    const raw = JSON.parse(
      readFileSync(
        new URL('../fixtures/events/autoscaling/launch-unsuccessful.json', import.meta.url),
        'utf8',
      ),
    );
    const parsed = parseIncomingEvent({ ...raw, 'replay-name': 'triage-replay-1' });
    if (!parsed.ok || parsed.events[0] === undefined) throw new Error('the sample must parse');

    // Act
    const signal = classify(parsed.events[0], { ...SHOP, assumeOwned: true });

    // Assess
    expect(signal?.source.replayName).toBe('triage-replay-1');
  });
});
