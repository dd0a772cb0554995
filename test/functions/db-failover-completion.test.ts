import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, T0 } from './support/signals.js';

/**
 * RDS events are best effort and "might be out of sequence or missing" (Amazon RDS User Guide,
 * "Overview of events for Amazon RDS"): a Multi-AZ failover completion (RDS-EVENT-0015 or
 * RDS-EVENT-0049) may arrive without its start (RDS-EVENT-0013). It is then the only sign of
 * a failover and must be recorded, announced and verified, not dropped as a recovery of
 * nothing. The completion fixtures are the documented 0049 sample and its 0015 variant.
 */

const shopDbEvent = (path: string): Signal => {
  const event = JSON.parse(
    readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
  ) as { detail: Record<string, unknown> };
  // Delivered live, at the harness clock (older events are held back, freshness.ts).
  const raw = {
    ...event,
    time: T0.toISOString(),
    detail: { ...event.detail, SourceIdentifier: 'rebound-dev-db' },
  };
  const result = parseIncomingEvent(raw);
  if (!result.ok || result.events[0] === undefined) throw new Error(`${path} must parse`);
  const signal = classify(result.events[0], SHOP);
  if (signal === null) throw new Error(`${path} must classify`);
  return signal;
};

describe('a Multi-AZ failover completion without its start event', () => {
  it.each(['rds/failover-completed-0049', 'rds/failover-completed-0015'])(
    'records %s, follows the failover to verify it, and tells people',
    async (path) => {
      // Prepare
      const harness = aHarness();

      // Act
      const outcome = await triageSignal(shopDbEvent(path), harness.deps);

      // Assess
      expect(outcome.decision).toMatchObject({ action: 'runbook', runbook: 'rds-failover' });
      expect(harness.runbooks.started.map(({ runbook, input }) => ({ runbook, input }))).toEqual([
        {
          runbook: 'rds-failover',
          input: expect.objectContaining({ dbInstanceId: 'rebound-dev-db', mode: 'follow' }),
        },
      ]);
      expect(outcome.incident).not.toBeNull();
      expect(harness.alerts.published).toHaveLength(1);
      // AWS has already failed over: worth an email, not a page.
      expect(harness.alerts.pages).toEqual([]);
    },
  );

  it('records both completions of one failover (0015, then 0049) as one incident and one run', async () => {
    // Prepare
    const harness = aHarness();
    const first = await triageSignal(shopDbEvent('rds/failover-completed-0015'), harness.deps);

    // Act
    const second = await triageSignal(shopDbEvent('rds/failover-completed-0049'), harness.deps);

    // Assess
    expect(second.incident?.id).toBe(first.incident?.id);
    expect(harness.runbooks.started).toHaveLength(1);
    expect(harness.alerts.published).toHaveLength(1);
  });

  it('notes a start that arrives after its completion (out of order) without reopening', async () => {
    // Prepare
    const harness = aHarness();
    const completion = await triageSignal(shopDbEvent('rds/failover-completed-0049'), harness.deps);

    // Act
    const start = await triageSignal(shopDbEvent('rds/failover-started-0013'), harness.deps);

    // Assess
    expect(start.incident?.id).toBe(completion.incident?.id);
    expect(start.incident?.status).toBe('resolved');
    expect(start.decision.action).toBe('suppress');
    expect(harness.runbooks.started).toHaveLength(1);
    expect(harness.alerts.published).toHaveLength(1);
  });

  it('only closes the failover when its start came first, starting nothing more', async () => {
    // Prepare
    const harness = aHarness();
    await triageSignal(shopDbEvent('rds/failover-started-0013'), harness.deps);

    // Act
    const outcome = await triageSignal(shopDbEvent('rds/failover-completed-0049'), harness.deps);

    // Assess
    expect(outcome.decision.action).toBe('resolve');
    expect(harness.runbooks.started.map(({ input }) => input.mode)).toEqual(['follow']);
  });
});
