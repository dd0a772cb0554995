import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbActionLedger } from '../../functions/lib/aws/dynamodb-action-ledger.js';
import { DynamoDbIncidentStore } from '../../functions/lib/aws/dynamodb-incident-store.js';
import { actionRequestFor } from '../../functions/lib/core/action-request.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import type { ActionLedger, IncidentStore } from '../../functions/lib/core/ports.js';
import { runbookExecutionName } from '../../functions/lib/core/runbook-registry.js';
import { triageSignal } from '../../functions/lib/core/triage.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import { createIncidentTable, useDynalite } from '../support/dynalite.js';
import { aHarness, aProblem, at, guardrailsOf, type Harness } from './support/signals.js';

/**
 * Exactly one actor, exactly one page (issue 11, section 3): a crash or a throttled write between
 * StartExecution and recording its effects must not make the retry refuse its own run (its
 * cooldown claim), page a second time or lose the execution. Each case runs on the in-memory
 * store and ledger and on the DynamoDB adapters against dynalite.
 */

const dynamo = useDynalite();
let tables = 0;

type Stores = () => Promise<{ store: IncidentStore; ledger: ActionLedger }>;
const implementations: [string, Stores][] = [
  [
    'in-memory',
    async () => ({ store: new MemoryIncidentStore(), ledger: new MemoryActionLedger() }),
  ],
  [
    'DynamoDB (dynalite)',
    async () => {
      tables += 1;
      const tableName = `one-actor-${tables}`;
      await createIncidentTable(dynamo.client, tableName);
      const documents = DynamoDBDocumentClient.from(dynamo.client);
      return {
        store: new DynamoDbIncidentStore(documents, tableName),
        ledger: new DynamoDbActionLedger(documents, tableName),
      };
    },
  ],
];

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
