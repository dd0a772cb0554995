import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionRequestFor } from '../../functions/lib/core/action-request.js';
import { classify } from '../../functions/lib/core/classify.js';
import { CORRELATION_WINDOW_MINUTES } from '../../functions/lib/core/correlate.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import type { IncidentStore } from '../../functions/lib/core/ports.js';
import { runbookExecutionName } from '../../functions/lib/core/runbook-registry.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { type TriageOutcome, triageSignal } from '../../functions/lib/core/triage.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';
import { aHarness, aProblem, at, guardrailsOf, type Harness, T0 } from './support/signals.js';
import { storeImplementations } from './support/stores.js';

/**
 * Exactly one actor, exactly one page (issue 11, section 3): a crash or a throttled write between
 * StartExecution and recording its effects must not make the retry refuse its own run (its
 * cooldown claim), page a second time or lose the execution. Each case runs on the in-memory
 * store and ledger and on the DynamoDB adapters against dynalite.
 */

const implementations = storeImplementations('one-actor');

/** A store whose writes are throttled once, when `when` first holds for the incident written. */
const throttledOnce = (inner: IncidentStore, when: (incident: Incident) => boolean) => {
  const state = { armed: false, throttled: 0 };
  const store: IncidentStore = {
    findActive: (keys) => inner.findActive(keys),
    get: (id) => inner.get(id),
    create: (incident) => inner.create(incident),
    update: async (incident) => {
      if (state.armed && state.throttled === 0 && when(incident)) {
        state.throttled += 1;
        // What the SDK throws when DynamoDB throttles beyond its own retries.
        throw Object.assign(new Error('Throughput exceeds the current capacity (simulated)'), {
          name: 'ProvisionedThroughputExceededException',
        });
      }
      return inner.update(incident);
    },
  };
  return { store, state };
};

/** The first run of a started execution claims its budget and cooldown, as its own check does. */
const runClaimsItsCooldown = (harness: Harness): void => {
  harness.runbooks.afterStart = async (call) => {
    const request = actionRequestFor(call.runbook, 'i-0aaa', guardrailsOf().guardrails);
    if (request === undefined) throw new Error(`${call.runbook} has no budget`);
    expect((await harness.ledger.claim(request, harness.clock.now())).allowed).toBe(true);
  };
};

const expectOneRunOnePage = async (harness: Harness, incidentId: string | undefined) => {
  const incident = incidentId === undefined ? undefined : await harness.store.get(incidentId);
  if (incident === undefined) throw new Error(`incident ${incidentId} not stored`);
  const executionName = runbookExecutionName(incident.id, 'i-0aaa');
  expect(harness.runbooks.started.map((call) => call.executionName)).toEqual([executionName]);
  expect(incident.runbookExecutions).toEqual({
    [executionName]: harness.runbooks.started[0]?.result.executionArn,
  });
  expect(incident.status).toBe('mitigating');
  expect(
    incident.timeline.filter((entry) => entry.type === 'decision').map((entry) => entry.action),
  ).not.toContain('notify');
  expect(incident.timeline.some((entry) => entry.type === 'decision' && entry.blockedBy)).toBe(
    false,
  );
  expect(harness.alerts.pages).toHaveLength(1);
  return incident;
};

describe.each(implementations)('exactly one actor, one page (%s)', (_name, makeStores) => {
  it('records one run and pages once when the invocation is killed right after StartExecution', async () => {
    // Prepare
    const { store, ledger } = await makeStores();
    const harness = aHarness({ store, ledger });
    runClaimsItsCooldown(harness);
    const afterClaim = harness.runbooks.afterStart;
    harness.runbooks.afterStart = async (call) => {
      await afterClaim?.(call);
      harness.runbooks.afterStart = undefined;
      throw new Error('Runtime exited (simulated kill after StartExecution)');
    };

    // Act
    await expect(triageSignal(aProblem(), harness.deps)).rejects.toThrow('simulated kill');
    harness.clock.current = at(1);
    const retry = await triageSignal(aProblem(), harness.deps);

    // Assess
    expect(retry.decision.action).toBe('runbook');
    expect(retry.execution?.status).toBe('already-running');
    const incident = await expectOneRunOnePage(harness, retry.incident?.id);
    expect(incident.lastPagedAt).toBe(at(1).toISOString());
  });

  it('records one run and pages once when the write after StartExecution is throttled', async () => {
    // Prepare
    const { store, ledger } = await makeStores();
    const throttled = throttledOnce(store, () => true);
    const harness = aHarness({ store: throttled.store, ledger });
    runClaimsItsCooldown(harness);
    const afterClaim = harness.runbooks.afterStart;
    harness.runbooks.afterStart = async (call) => {
      await afterClaim?.(call);
      throttled.state.armed = true;
    };

    // Act
    await expect(triageSignal(aProblem(), harness.deps)).rejects.toThrow('simulated');
    harness.clock.current = at(1);
    const retry = await triageSignal(aProblem(), harness.deps);

    // Assess
    expect(throttled.state.throttled).toBe(1);
    expect(retry.decision.action).toBe('runbook');
    const incident = await expectOneRunOnePage(harness, retry.incident?.id);
    expect(incident.lastPagedAt).toBe(at(1).toISOString());
  });

  it('records one run and pages once when the write after the page is throttled', async () => {
    // Prepare
    const { store, ledger } = await makeStores();
    const throttled = throttledOnce(store, (incident) =>
      incident.timeline.some((entry) => entry.type === 'alert'),
    );
    const harness = aHarness({ store: throttled.store, ledger });
    runClaimsItsCooldown(harness);
    const afterClaim = harness.runbooks.afterStart;
    harness.runbooks.afterStart = async (call) => {
      await afterClaim?.(call);
      throttled.state.armed = true;
    };

    // Act
    await expect(triageSignal(aProblem(), harness.deps)).rejects.toThrow('simulated');
    harness.clock.current = at(1);
    const retry = await triageSignal(aProblem(), harness.deps);

    // Assess
    expect(throttled.state.throttled).toBe(1);
    // The email goes out again (at least once); the SMS does not (at most once).
    expect(harness.alerts.published.map((alert) => alert.sms !== null)).toEqual([true, false]);
    const incident = await expectOneRunOnePage(harness, retry.incident?.id);
    expect(incident.lastPagedAt).toBe(at(0).toISOString());
  });
});

describe('related signals arriving together', () => {
  /** An alarm on instance i-0aaa: the alarm names no AZ. */
  const instanceAlarm = aProblem({ availabilityZone: undefined });
  /** Auto Scaling could not terminate the same instance: a problem on its group, naming it. */
  const terminateFailed = aProblem({
    severity: 'warning',
    resource: { type: 'auto-scaling-group', id: 'rebound-prod-web' },
    related: [{ type: 'ec2-instance', id: 'i-0aaa' }],
    partKey: 'asg-terminate:rebound-prod-web',
    availabilityZone: 'us-east-1a',
    summary: 'rebound-prod-web: could not terminate i-0aaa in us-east-1a',
    source: {
      ...aProblem().source,
      eventId: 'asg-event-1',
      source: 'aws.autoscaling',
      detailType: 'EC2 Instance Terminate Unsuccessful',
    },
  });

  it('makes one incident of an alarm and an Auto Scaling event for one instance, 10 runs of 10 on dynalite', async () => {
    // Prepare
    const dynamoStores = implementations[1]?.[1];
    if (dynamoStores === undefined) throw new Error('no DynamoDB implementation');
    const incidentsPerRun: number[] = [];

    // Act
    for (let run = 0; run < 10; run += 1) {
      const { store, ledger } = await dynamoStores();
      const harness = aHarness({ store, ledger });
      const outcomes = await Promise.all([
        triageSignal(instanceAlarm, harness.deps),
        triageSignal(terminateFailed, harness.deps),
      ]);
      incidentsPerRun.push(new Set(outcomes.map((outcome) => outcome.incident?.id)).size);
    }

    // Assess
    expect(incidentsPerRun).toEqual(Array.from({ length: 10 }, () => 1));
  });

  it('makes one incident whichever of the two comes first (in memory)', async () => {
    for (const order of [
      [instanceAlarm, terminateFailed],
      [terminateFailed, instanceAlarm],
    ]) {
      // Prepare
      const harness = aHarness();

      // Act
      const outcomes = await Promise.all(order.map((signal) => triageSignal(signal, harness.deps)));

      // Assess
      const [incident] = outcomes.map((outcome) => outcome.incident);
      expect(new Set(outcomes.map((outcome) => outcome.incident?.id)).size).toBe(1);
      expect(incident?.scopeKeys).toEqual(
        expect.arrayContaining([
          'resource:ec2-instance:i-0aaa',
          'resource:auto-scaling-group:rebound-prod-web',
        ]),
      );
    }
  });
});

describe.each(implementations)(
  'one ElastiCache failover, several notifications (%s)',
  (_name, makeStores) => {
    /** ElastiCache's documented FailoverComplete notification, for the shop's cache or one of its nodes. */
    const failoverComplete = (target: string, messageId: string, timestamp: Date): Signal => {
      const fixture = JSON.parse(
        readFileSync('test/fixtures/events/elasticache/failover-complete.json', 'utf8'),
      ) as { Records: [{ Sns: Record<string, unknown> }] };
      const [record] = fixture.Records;
      record.Sns = {
        ...record.Sns,
        MessageId: messageId,
        Timestamp: timestamp.toISOString(),
        Message: `ElastiCache:FailoverComplete : ${target}`,
      };
      const parsed = parseIncomingEvent(fixture);
      if (!parsed.ok) throw new Error(parsed.reason);
      const [event] = parsed.events;
      const signal = event === undefined ? null : classify(event, SHOP);
      if (signal === null) throw new Error(`${target}: not classified as the shop's`);
      return signal;
    };
    const notifications = [
      failoverComplete('rebound-dev-cache', 'message-1', T0),
      failoverComplete('rebound-dev-cache-0001-002', 'message-2', at(0.2)),
      failoverComplete('rebound-dev-cache-0001-001', 'message-3', at(0.5)),
    ];

    const incidentsOf = async (store: IncidentStore, outcomes: readonly TriageOutcome[]) => {
      const ids = [...new Set(outcomes.map((outcome) => outcome.incident?.id))];
      return Promise.all(ids.map(async (id) => (id === undefined ? undefined : store.get(id))));
    };

    it('records one incident and one follow run when they arrive one after the other', async () => {
      // Prepare
      const { store, ledger } = await makeStores();
      const harness = aHarness({ store, ledger });

      // Act
      const outcomes: TriageOutcome[] = [];
      for (const [index, signal] of notifications.entries()) {
        harness.clock.current = at(index * 0.3);
        outcomes.push(await triageSignal(signal, harness.deps));
      }

      // Assess
      const incidents = await incidentsOf(store, outcomes);
      expect(incidents).toHaveLength(1);
      expect(incidents[0]?.status).toBe('resolved');
      expect(
        incidents[0]?.timeline
          .filter((entry) => entry.type === 'signal')
          .map((entry) => entry.eventId),
      ).toEqual(notifications.map((signal) => signal.source.eventId));
      expect(harness.runbooks.calls.map((call) => [call.runbook, call.input.mode])).toEqual([
        ['cache-failover', 'follow'],
      ]);
      expect(harness.alerts.published).toHaveLength(1);
      expect(outcomes.slice(1).map((outcome) => outcome.decision.action)).toEqual([
        'suppress',
        'suppress',
      ]);
    });

    it('records one incident and one follow run when they arrive together', async () => {
      // Prepare
      const { store, ledger } = await makeStores();
      const harness = aHarness({ store, ledger });

      // Act
      const outcomes = await Promise.all(
        notifications.map((signal) => triageSignal(signal, harness.deps)),
      );

      // Assess
      expect(await incidentsOf(store, outcomes)).toHaveLength(1);
      expect(harness.runbooks.started).toHaveLength(1);
      expect(harness.alerts.published).toHaveLength(1);
    });

    it('opens a new incident for a failover after the correlation window', async () => {
      // Prepare
      const { store, ledger } = await makeStores();
      const harness = aHarness({ store, ledger });
      const first = await triageSignal(notifications[0] ?? null, harness.deps);

      // Act
      harness.clock.current = at(CORRELATION_WINDOW_MINUTES + 1);
      const later = await triageSignal(
        failoverComplete('rebound-dev-cache', 'message-9', at(CORRELATION_WINDOW_MINUTES + 1)),
        harness.deps,
      );

      // Assess
      expect(later.incident?.id).not.toBe(first.incident?.id);
      expect(later.decision.action).toBe('runbook');
      expect(harness.runbooks.started).toHaveLength(2);
    });
  },
);
