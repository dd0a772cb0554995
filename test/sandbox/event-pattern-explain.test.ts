import { describe, expect, it } from 'vitest';
import { explainEventPattern } from '../../sandbox/event-pattern.js';

/**
 * Why an event misses a pattern, from the matcher's own rules: the EventBridge user guide's EC2
 * example (eb-event-patterns.html), an `$or` like the alarm intake rule's, and arrays of objects.
 */

const ec2Event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const terminated = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

describe('explainEventPattern', () => {
  it('finds nothing to explain when the event matches', () => {
    // Act
    const misses = explainEventPattern(terminated, ec2Event);

    // Assess
    expect(misses).toEqual([]);
  });

  it('names every failing field with what the pattern wants and what the event holds', () => {
    // Prepare
    const event = { ...ec2Event, source: 'aws.ec2 ', detail: { state: 'running' } };

    // Act
    const misses = explainEventPattern(terminated, event);

    // Assess
    expect(misses).toEqual([
      { path: 'source', wanted: ['aws.ec2'], got: ['aws.ec2 '] },
      { path: 'detail.state', wanted: ['terminated'], got: ['running'] },
    ]);
  });

  it('reports a missing field and an object where a value belongs as holding nothing', () => {
    // Prepare
    const event = { source: 'aws.ec2', detail: { state: { name: 'terminated' } } };

    // Act
    const misses = explainEventPattern(terminated, event);

    // Assess
    expect(misses).toEqual([
      { path: 'detail-type', wanted: ['EC2 Instance State-change Notification'], got: [] },
      { path: 'detail.state', wanted: ['terminated'], got: [] },
    ]);
  });

  it('explains a failed $or by its closest alternative, with the number of alternatives', () => {
    // Prepare
    const pattern = {
      source: ['aws.cloudwatch'],
      detail: {
        $or: [
          { alarmName: [{ prefix: 'rebound-dev-' }] },
          {
            configuration: {
              metrics: {
                metricStat: { metric: { dimensions: { AutoScalingGroupName: ['web'] } } },
              },
            },
          },
        ],
      },
    };
    const event = {
      source: 'aws.cloudwatch',
      detail: {
        alarmName: 'awsec2-i-0abc-StatusCheckFailed',
        configuration: {
          metrics: [{ metricStat: { metric: { dimensions: { InstanceId: 'i-0abc' } } } }],
        },
      },
    };

    // Act
    const misses = explainEventPattern(pattern, event);

    // Assess
    expect(misses).toEqual([
      {
        path: 'detail.alarmName',
        wanted: [{ prefix: 'rebound-dev-' }],
        got: ['awsec2-i-0abc-StatusCheckFailed'],
        ofAlternatives: 2,
      },
    ]);
  });

  it('explains an array of objects by its closest element', () => {
    // Prepare
    const pattern = { detail: { items: { kind: ['disk'], state: ['full'] } } };
    const event = {
      detail: {
        items: [
          { kind: 'cpu', state: 'idle' },
          { kind: 'disk', state: 'ok' },
        ],
      },
    };

    // Act
    const misses = explainEventPattern(pattern, event);

    // Assess
    expect(misses).toEqual([{ path: 'detail.items.state', wanted: ['full'], got: ['ok'] }]);
  });

  it('agrees with the matcher: an $or with one matching alternative has no miss', () => {
    // Prepare
    const pattern = { $or: [{ a: ['x'] }, { b: ['y'] }] };

    // Act
    const misses = explainEventPattern(pattern, { a: 'no', b: 'y' });

    // Assess
    expect(misses).toEqual([]);
  });
});
