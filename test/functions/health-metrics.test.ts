import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ignoredEventMetric, isHeartbeat } from '../../functions/lib/aws/health-metrics.js';
import { TRIAGE_ENVIRONMENT } from '../../functions/lib/environments.js';

// The heartbeat and the rejected-events count triage writes (embedded metric format:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).

/** A scheduled event as EventBridge delivers it (the AWS docs' sample, with the stage's rule). */
const heartbeatEvent = (ruleName: string) => ({
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:123456789012:rule/${ruleName}`],
  detail: {},
});

/** The EMF records written to stdout while `act` runs. */
const emfRecordsDuring = async (act: () => Promise<void>) => {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('heartbeat recognition', () => {
  it("takes the stage's own heartbeat rule, nobody else's scheduled events", () => {
    expect(isHeartbeat(heartbeatEvent('rebound-dev-heartbeat'), 'rebound-dev')).toBe(true);
    expect(isHeartbeat(heartbeatEvent('rebound-dev-alice-heartbeat'), 'rebound-dev')).toBe(false);
    expect(isHeartbeat(heartbeatEvent('my-scheduled-rule'), 'rebound-dev')).toBe(false);
    expect(
      isHeartbeat({ ...heartbeatEvent('rebound-dev-heartbeat'), source: 'custom' }, 'rebound-dev'),
    ).toBe(false);
    expect(isHeartbeat('Scheduled Event', 'rebound-dev')).toBe(false);
  });
});

describe('IgnoredEvents metric', () => {
  it('counts by source and reason, and by origin for the alarm on AWS sources', () => {
    // Act
    const health = ignoredEventMetric({ source: 'aws.health' }, 'invalid');
    const sns = ignoredEventMetric({ Records: [] }, 'invalid');
    const custom = ignoredEventMetric({ source: 'my.app' }, 'unsupported');
    const hostile = ignoredEventMetric({ source: 'x'.repeat(5000) }, 'unsupported');

    // Assess
    expect(health.dimensions).toEqual({ Source: 'aws.health', Reason: 'invalid', Origin: 'aws' });
    expect(health.dimensionSets).toEqual([['Source', 'Reason'], ['Origin']]);
    expect(sns.dimensions.Source).toBe('aws.elasticache');
    expect(custom.dimensions).toEqual({ Source: 'my.app', Reason: 'unsupported', Origin: 'other' });
    expect(hostile.dimensions.Source).toBe('unknown');
  });
});

describe('triage handler health', () => {
  let handler: (raw: unknown) => Promise<void>;
  beforeAll(async () => {
    for (const [name, value] of Object.entries(TRIAGE_ENVIRONMENT.example)) {
      vi.stubEnv(name, value);
    }
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ({ handler } = await import('../../functions/triage.js'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('counts a heartbeat as Heartbeats{Stage} and does nothing else', async () => {
    // Act
    const records = await emfRecordsDuring(() => handler(heartbeatEvent('rebound-dev-heartbeat')));

    // Assess
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Rebound',
            Dimensions: [['Stage']],
            Metrics: [{ Name: 'Heartbeats', Unit: 'Count' }],
          },
        ],
      },
      Stage: 'dev',
      Heartbeats: 1,
    });
  });

  it('counts an AWS Health event the schema rejects as IgnoredEvents{aws.health, invalid}', async () => {
    // Prepare: an AWS Health event without its eventArn (a schema drift)
    const drifted = {
      ...heartbeatEvent('x'),
      source: 'aws.health',
      'detail-type': 'AWS Health Event',
      detail: { service: 'EC2', eventTypeCode: 'AWS_EC2_X', eventTypeCategory: 'issue' },
    };

    // Act
    const records = await emfRecordsDuring(() => handler(drifted));

    // Assess
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      Source: 'aws.health',
      Reason: 'invalid',
      Origin: 'aws',
      IgnoredEvents: 1,
    });
  });
});
