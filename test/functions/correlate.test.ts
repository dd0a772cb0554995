import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CORRELATION_WINDOW_MINUTES,
  type Correlation,
  correlate,
  incidentIdFor,
} from '../../functions/lib/core/correlate.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { aProblem, at, recoveryOf, sameAzNeighbour, T0 } from './support/signals.js';

const opened = (correlation: Correlation): Incident => {
  if (correlation.type !== 'opened') throw new Error(`expected opened, got ${correlation.type}`);
  return correlation.incident;
};

const joined = (correlation: Correlation) => {
  if (correlation.type !== 'joined') throw new Error(`expected joined, got ${correlation.type}`);
  return correlation;
};

describe('correlate: opening', () => {
  it('opens a version-1 incident with the part, the scope keys and a signal line', () => {
    // Prepare
    const signal = aProblem();

    // Act
    const incident = opened(correlate(signal, [], T0));

    // Assess
    expect(incident).toEqual({
      id: incidentIdFor(signal, T0),
      status: 'open',
      severity: 'critical',
      title: signal.summary,
      kind: 'instance-health',
      resources: [
        { type: 'ec2-instance', id: 'i-0aaa' },
        { type: 'auto-scaling-group', id: 'rebound-prod-web' },
      ],
      availabilityZone: 'us-east-1a',
      parts: [
        {
          key: signal.partKey,
          kind: 'instance-health',
          resource: signal.resource,
          state: 'active',
          since: T0.toISOString(),
        },
      ],
      scopeKeys: [
        'part:alarm:rebound-prod-mem-i-0aaa',
        'resource:ec2-instance:i-0aaa',
        'az:us-east-1a',
      ],
      timeline: [
        {
          type: 'signal',
          at: T0.toISOString(),
          kind: 'instance-health',
          phase: 'problem',
          partKey: signal.partKey,
          summary: signal.summary,
          eventId: 'event-1',
        },
      ],
      openedAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      runbookExecutions: {},
      version: 1,
    });
  });

  it('names the incident inc-<minute>-<8 hex of sha256(event id|part key)>', () => {
    // Prepare
    const signal = aProblem();
    const hash = createHash('sha256').update('event-1|alarm:rebound-prod-mem-i-0aaa').digest('hex');

    // Act
    const id = incidentIdFor(signal, T0);
    const again = incidentIdFor(aProblem(), at(0.5));
    const otherEvent = incidentIdFor(aProblem({ source: { ...signal.source, eventId: 'e2' } }), T0);
    const otherPart = incidentIdFor(aProblem({ partKey: 'alarm:other' }), T0);

    // Assess
    expect(id).toBe(`inc-20261126T0304-${hash.slice(0, 8)}`);
    expect(id).toMatch(/^inc-\d{8}T\d{4}-[0-9a-f]{8}$/);
    expect(again).toBe(id);
    expect(new Set([id, otherEvent, otherPart]).size).toBe(3);
  });

  it('records the deadline of AWS self-healing on the part', () => {
    // Prepare
    const signal = aProblem({ selfHealing: { by: 'rds', expectedWithinSeconds: 120 } });

    // Act
    const incident = opened(correlate(signal, [], T0));

    // Assess
    expect(incident.parts[0]?.expectRecoveryBy).toBe(at(2).toISOString());
  });

  it('opens no incident for a recovery or an info signal with nothing to join', () => {
    // Prepare
    const recovery = recoveryOf(aProblem());
    const info = aProblem({ phase: 'info', partKey: 'asg-launch:rebound-prod-web' });

    // Act
    const results = [correlate(recovery, [], T0), correlate(info, [], T0)];

    // Assess
    expect(results).toEqual([{ type: 'unmatched' }, { type: 'unmatched' }]);
  });

  it('records an unmatched info signal as an already-resolved incident when asked to', () => {
    // Prepare
    const info = aProblem({
      kind: 'cache-failover',
      phase: 'info',
      severity: 'warning',
      resource: { type: 'cache-replication-group', id: 'rebound-prod-cache' },
      related: [],
      partKey: 'cache-failover:rebound-prod-cache',
      summary: 'ElastiCache failover complete',
    });

    // Act
    const incident = opened(correlate(info, [], T0, { recordUnmatchedInfo: true }));

    // Assess
    expect(incident).toMatchObject({
      status: 'resolved',
      resolvedAt: T0.toISOString(),
      parts: [],
      version: 1,
    });
    expect(incident.timeline.map((entry) => entry.type)).toEqual(['signal', 'status']);
    expect(incident.timeline[1]).toMatchObject({ type: 'status', from: 'open', to: 'resolved' });
  });
});

describe('correlate: joining', () => {
  const first = opened(correlate(aProblem(), [], T0));

  it('treats the same part again as a duplicate and changes nothing', () => {
    // Prepare
    const redelivered = aProblem();
    const repeated = aProblem({ source: { ...aProblem().source, eventId: 'event-9' } });

    // Act
    const results = [correlate(redelivered, [first], at(1)), correlate(repeated, [first], at(2))];

    // Assess
    for (const result of results) {
      expect(result).toEqual({
        type: 'joined',
        incident: first,
        previous: first,
        change: 'duplicate',
      });
    }
  });

  it('joins a second part in the same AZ: severity max, resources and scope keys unioned', () => {
    // Prepare
    const warningFirst = opened(correlate(sameAzNeighbour(), [], T0));
    const critical = aProblem({ source: { ...aProblem().source, eventId: 'event-3' } });

    // Act
    const result = joined(correlate(critical, [warningFirst], at(10)));

    // Assess
    expect(result.change).toBe('opened');
    expect(result.previous).toBe(warningFirst);
    expect(result.incident).toMatchObject({
      id: warningFirst.id,
      version: 2,
      severity: 'critical',
      status: 'open',
      updatedAt: at(10).toISOString(),
      resources: [
        { type: 'ec2-instance', id: 'i-0bbb' },
        { type: 'auto-scaling-group', id: 'rebound-prod-web' },
        { type: 'ec2-instance', id: 'i-0aaa' },
      ],
      scopeKeys: [
        'part:alarm:rebound-prod-mem-i-0bbb',
        'resource:ec2-instance:i-0bbb',
        'az:us-east-1a',
        'part:alarm:rebound-prod-mem-i-0aaa',
        'resource:ec2-instance:i-0aaa',
      ],
    });
    expect(result.incident.parts.map((part) => [part.key, part.state])).toEqual([
      ['alarm:rebound-prod-mem-i-0bbb', 'active'],
      ['alarm:rebound-prod-mem-i-0aaa', 'active'],
    ]);
    expect(result.incident.timeline.map((entry) => entry.type)).toEqual(['signal', 'signal']);
  });

  it('joins a second part on the same resource even without an AZ, keeping the severity max', () => {
    // Prepare
    const { availabilityZone: _az, ...noAz } = aProblem({
      severity: 'warning',
      partKey: 'alarm:rebound-prod-disk-i-0aaa',
      source: { ...aProblem().source, eventId: 'event-4' },
    });

    // Act
    const result = joined(correlate(noAz, [first], at(5)));

    // Assess
    expect(result.change).toBe('opened');
    expect(result.incident.severity).toBe('critical');
    expect(result.incident.parts).toHaveLength(2);
    expect(result.incident.scopeKeys).toContain('part:alarm:rebound-prod-disk-i-0aaa');
  });

  it('opens a new incident for the same AZ outside the correlation window', () => {
    // Prepare
    const late = sameAzNeighbour();

    // Act
    const result = correlate(late, [first], at(CORRELATION_WINDOW_MINUTES + 1));

    // Assess
    const incident = opened(result);
    expect(incident.id).not.toBe(first.id);
    expect(incident.parts.map((part) => part.key)).toEqual(['alarm:rebound-prod-mem-i-0bbb']);
  });

  it('takes the AZ key over from a stale incident, which keeps its part keys', () => {
    // Prepare
    const late = sameAzNeighbour();

    // Act
    const result = correlate(late, [first], at(CORRELATION_WINDOW_MINUTES + 1));

    // Assess
    if (result.type !== 'opened') throw new Error(`expected opened, got ${result.type}`);
    expect(result.released).toEqual([
      {
        ...first,
        scopeKeys: ['part:alarm:rebound-prod-mem-i-0aaa', 'resource:ec2-instance:i-0aaa'],
        version: 2,
      },
    ]);
    expect(opened(result).scopeKeys).toContain('az:us-east-1a');
  });

  it('releases nothing when the incidents share no key it claims', () => {
    // Prepare
    const otherAz = sameAzNeighbour({ availabilityZone: 'us-east-1b' });

    // Act
    const results = [
      correlate(otherAz, [first], at(1)),
      correlate(sameAzNeighbour(), [first], at(1)),
      correlate(recoveryOf(aProblem()), [first], at(1)),
    ];

    // Assess
    expect(results.map((result) => result.type)).toEqual(['opened', 'joined', 'joined']);
    expect(
      results.map((result) => (result.type === 'unmatched' ? 'none' : result.released)),
    ).toEqual([undefined, undefined, undefined]);
  });

  it('releases a key of another incident that the joined incident now claims', () => {
    // Prepare
    const stale = opened(
      correlate(
        sameAzNeighbour({ availabilityZone: 'us-east-1b' }),
        [],
        at(-CORRELATION_WINDOW_MINUTES - 5),
      ),
    );
    const onBoth = sameAzNeighbour({
      partKey: 'alarm:rebound-prod-disk-i-0bbb',
      source: { ...aProblem().source, eventId: 'event-6' },
    });

    // Act
    const result = joined(correlate(onBoth, [first, stale], at(1)));

    // Assess
    expect(result.incident.id).toBe(first.id);
    expect(result.released?.map((incident) => [incident.id, incident.scopeKeys])).toEqual([
      [stale.id, ['part:alarm:rebound-prod-mem-i-0bbb', 'az:us-east-1b']],
    ]);
  });

  it('still joins at the edge of the window, counted from the last activity', () => {
    // Prepare
    const touched: Incident = { ...first, updatedAt: at(20).toISOString() };

    // Act
    const result = correlate(sameAzNeighbour(), [touched], at(20 + CORRELATION_WINDOW_MINUTES));

    // Assess
    expect(joined(result).incident.id).toBe(first.id);
  });

  it('adds an info signal as a timeline line only', () => {
    // Prepare
    const info = aProblem({
      phase: 'info',
      partKey: 'asg-launch:rebound-prod-web',
      summary: 'Launched i-0ccc',
      source: { ...aProblem().source, eventId: 'event-5' },
    });

    // Act
    const result = joined(correlate(info, [first], at(3)));

    // Assess
    expect(result.change).toBe('noted');
    expect(result.incident.parts).toEqual(first.parts);
    expect(result.incident.version).toBe(2);
    expect(result.incident.timeline.at(-1)).toMatchObject({
      type: 'signal',
      phase: 'info',
      summary: 'Launched i-0ccc',
    });
  });
});

describe('correlate: recovery', () => {
  const first = opened(correlate(aProblem(), [], T0));
  const two = joined(correlate(sameAzNeighbour(), [first], at(1))).incident;

  it('closes its part even hours later, outside the window', () => {
    // Prepare
    const recovery = recoveryOf(sameAzNeighbour());

    // Act
    const result = joined(correlate(recovery, [two], at(5 * 60)));

    // Assess
    expect(result.change).toBe('resolved');
    expect(result.incident.status).toBe('open');
    expect(result.incident.parts.map((part) => [part.key, part.state, part.resolvedAt])).toEqual([
      ['alarm:rebound-prod-mem-i-0aaa', 'active', undefined],
      ['alarm:rebound-prod-mem-i-0bbb', 'resolved', at(5 * 60).toISOString()],
    ]);
  });

  it('resolves the incident only when every part has recovered', () => {
    // Prepare
    const oneDown = joined(correlate(recoveryOf(aProblem()), [two], at(10))).incident;

    // Act
    const result = joined(correlate(recoveryOf(sameAzNeighbour()), [oneDown], at(12)));

    // Assess
    expect(oneDown.status).toBe('open');
    expect(result.change).toBe('resolved');
    expect(result.incident).toMatchObject({
      status: 'resolved',
      resolvedAt: at(12).toISOString(),
      version: 4,
    });
    expect(result.incident.timeline.at(-1)).toEqual({
      type: 'status',
      at: at(12).toISOString(),
      from: 'open',
      to: 'resolved',
      reason: 'every part of the incident has recovered',
    });
  });

  it('treats a second recovery of a closed part as a duplicate', () => {
    // Prepare
    const oneDown = joined(correlate(recoveryOf(aProblem()), [two], at(10))).incident;

    // Act
    const result = joined(correlate(recoveryOf(aProblem()), [oneDown], at(11)));

    // Assess
    expect(result).toEqual({
      type: 'joined',
      incident: oneDown,
      previous: oneDown,
      change: 'duplicate',
    });
  });

  it('reopens a recovered part when its problem comes back', () => {
    // Prepare
    const oneDown = joined(correlate(recoveryOf(aProblem()), [two], at(10))).incident;
    const again = aProblem({ source: { ...aProblem().source, eventId: 'event-7' } });

    // Act
    const result = joined(correlate(again, [oneDown], at(15)));

    // Assess
    expect(result.change).toBe('opened');
    expect(result.incident.parts.filter((part) => part.state === 'active')).toHaveLength(2);
  });

  it('leaves a recovery of an unknown part unmatched, whatever shares its AZ', () => {
    // Prepare
    const stranger = recoveryOf(sameAzNeighbour({ partKey: 'alarm:never-fired' }));

    // Act
    const result = correlate(stranger, [two], at(1));

    // Assess
    expect(result).toEqual({ type: 'unmatched' });
  });

  it('ignores resolved candidates', () => {
    // Prepare
    const resolved: Incident = { ...first, status: 'resolved' };

    // Act
    const result = correlate(recoveryOf(aProblem()), [resolved], at(1));

    // Assess
    expect(result).toEqual({ type: 'unmatched' });
  });
});
