import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_HEALTH_DESCRIPTION_LENGTH } from '../../functions/lib/events/health.js';
import { idempotencyKeyOf, parseIncomingEvent } from '../../functions/lib/events/index.js';
import { MAX_REASON_LENGTH } from '../../functions/lib/events/parse-reason.js';

type JsonObject = { [key: string]: unknown };

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const fixture = (path: string): JsonObject =>
  JSON.parse(readFileSync(new URL(`${path}.json`, FIXTURES), 'utf8'));
const detailOf = (event: JsonObject): JsonObject => event.detail as JsonObject;

/** Every fixture but the one that must be rejected, with the source it must come out as. */
const ACCEPTED = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(new URL(`${dir.name}/`, FIXTURES))
      .filter((file) => file.endsWith('.json') && file !== 'alarm-configuration-change.json')
      .map((file) => `${dir.name}/${file.replace(/\.json$/, '')}`),
  );

const SOURCES: Readonly<Record<string, string>> = {
  'arc-zonal-shift': 'aws.arc-zonal-shift',
  autoscaling: 'aws.autoscaling',
  cloudwatch: 'aws.cloudwatch',
  ec2: 'aws.ec2',
  elasticache: 'rebound.elasticache',
  health: 'aws.health',
  rds: 'aws.rds',
  states: 'aws.states',
};

const expectRejected = (input: unknown, ...fragments: string[]): string => {
  const result = parseIncomingEvent(input);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
  for (const fragment of fragments) expect(result.reason).toContain(fragment);
  return result.reason;
};

describe('parseIncomingEvent: the documented AWS samples', () => {
  it('covers every event source', () => {
    // Assess
    expect(new Set(ACCEPTED.map((path) => path.split('/')[0]))).toEqual(
      new Set(Object.keys(SOURCES)),
    );
    expect(ACCEPTED.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ACCEPTED)('accepts %s', (path) => {
    // Prepare
    const input = fixture(path);

    // Act
    const result = parseIncomingEvent(input);

    // Assess
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.events).toHaveLength(1);
    expect(result.events[0]?.source).toBe(SOURCES[path.split('/')[0] ?? '']);
  });

  it('keeps the declared fields and drops the rest', () => {
    // Act
    const result = parseIncomingEvent(fixture('rds/failover-started-0013'));

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events[0]).toEqual({
      version: '0',
      id: '68f6e973-1a0c-d37b-f2f2-94a7f62ff013',
      'detail-type': 'RDS DB Instance Event',
      source: 'aws.rds',
      account: '123456789012',
      time: '2018-09-27T22:36:43Z',
      region: 'us-east-1',
      resources: ['arn:aws:rds:us-east-1:123456789012:db:my-db-instance'],
      detail: {
        EventID: 'RDS-EVENT-0013',
        EventCategories: ['failover'],
        SourceType: 'DB_INSTANCE',
        SourceIdentifier: 'rds:my-db-instance',
      },
    });
  });

  it('keeps the replay-name of an event replayed from the archive', () => {
    // Prepare
    const input = { ...fixture('states/execution-failed'), 'replay-name': 'triage-replay-1' };

    // Act
    const result = parseIncomingEvent(input);

    // Assess
    expect(result.ok && result.events[0]?.['replay-name']).toBe('triage-replay-1');
  });

  it('normalises an ElastiCache notification in the documented text form', () => {
    // Act
    const result = parseIncomingEvent(fixture('elasticache/failover-complete'));

    // Assess
    expect(result).toEqual({
      ok: true,
      events: [
        {
          version: '0',
          id: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          'detail-type': 'ElastiCache Notification',
          source: 'rebound.elasticache',
          account: '123456789012',
          time: '2019-01-02T12:45:07.000Z',
          region: 'us-east-2',
          resources: [],
          detail: { event: 'ElastiCache:FailoverComplete', target: 'mycluster' },
        },
      ],
    });
  });

  it('normalises an ElastiCache notification in the JSON form subscribers receive', () => {
    // Act
    const result = parseIncomingEvent(fixture('elasticache/cache-node-replace-started'));

    // Assess
    expect(result.ok && result.events[0]?.detail).toEqual({
      event: 'ElastiCache:CacheNodeReplaceStarted',
      target: 'mycluster-0001-002',
    });
  });

  it('reads an ElastiCache notification that names no node', () => {
    // Prepare
    const input = fixture('elasticache/failover-complete');
    const [record] = input.Records as JsonObject[];
    (record?.Sns as JsonObject).Message = 'ElastiCache:CertificateRenewalComplete';

    // Act
    const result = parseIncomingEvent(input);

    // Assess
    expect(result.ok && result.events[0]?.detail).toEqual({
      event: 'ElastiCache:CertificateRenewalComplete',
    });
  });
});

describe('idempotencyKeyOf', () => {
  const keyOf = (input: unknown): string => {
    const result = parseIncomingEvent(input);
    if (!result.ok || result.events[0] === undefined) throw new Error('fixture must parse');
    return idempotencyKeyOf(result.events[0]);
  };

  it('keys an AWS Health event on eventArn and communicationId', () => {
    // Act
    const key = keyOf(fixture('health/ec2-instance-retirement-scheduled'));

    // Assess
    expect(key).toBe(
      'health:arn:aws:health:us-east-1::event/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_90353408594353983:1234abc01232a4012345678-1',
    );
  });

  it('gives the backup copy of a Health event, delivered in a second region, the same key', () => {
    // Prepare
    const primary = fixture('health/ec2-instance-store-backup-event');
    const backup = { ...primary, id: 'another-delivery-id', region: 'us-east-1' };

    // Act / Assess
    expect(keyOf(backup)).toBe(keyOf(primary));
  });

  it('gives two updates of one Health event different keys', () => {
    // Act / Assess
    expect(keyOf(fixture('health/ec2-az-operational-issue'))).not.toBe(
      keyOf(fixture('health/ec2-az-operational-issue-closed')),
    );
  });

  it('falls back to the event id for a Health event without communicationId', () => {
    // Prepare
    const input = fixture('health/elb-api-issue');
    delete detailOf(input).communicationId;

    // Act / Assess
    expect(keyOf(input)).toBe('event:121345678-1234-1234-1234-123456789012');
  });

  it('keys EventBridge events on their id and SNS notifications on the MessageId', () => {
    // Act / Assess
    expect(keyOf(fixture('rds/failover-completed-0049'))).toBe(
      'event:68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e',
    );
    expect(keyOf(fixture('elasticache/failover-complete'))).toBe(
      'event:95df01b4-ee98-5cb9-9903-4c221d41eb5e',
    );
  });
});

describe('parseIncomingEvent: what it rejects, with a reason and without throwing', () => {
  it.each([
    ['a string', '{"source":"aws.rds"}', 'got a string'],
    ['a number', 42, 'got a number'],
    ['null', null, 'got null'],
    ['undefined', undefined, 'got undefined'],
    ['an array', [fixture('rds/failover-completed-0049')], 'got an array'],
  ])('rejects %s', (_name, input, fragment) => {
    expectRejected(input, fragment);
  });

  it('rejects an event without source or detail-type', () => {
    expectRejected({}, 'unsupported event', 'source (missing)');
  });

  it('rejects "CloudWatch Alarm Configuration Change", even with its state in ALARM', () => {
    // Prepare
    const input = fixture('cloudwatch/alarm-configuration-change');
    expect((detailOf(input).state as JsonObject).value).toBe('ALARM');

    // Act / Assess
    expectRejected(input, '"CloudWatch Alarm Configuration Change"', 'not handled');
  });

  it('rejects an unknown source and an unknown detail-type of a known source', () => {
    expectRejected(
      { ...fixture('rds/failover-completed-0049'), source: 'aws.ec2' },
      'source "aws.ec2"',
    );
    expectRejected(
      { ...fixture('rds/failover-completed-0049'), 'detail-type': 'RDS DB Snapshot Event' },
      '"RDS DB Snapshot Event"',
    );
  });

  it('names a missing detail', () => {
    // Prepare
    const { detail: _detail, ...input } = fixture('states/execution-failed');

    // Act / Assess
    expectRejected(input, 'detail:');
  });

  it('names a missing field inside the detail', () => {
    // Prepare
    const input = fixture('health/ec2-az-operational-issue');
    delete detailOf(input).eventArn;

    // Act / Assess
    expectRejected(input, '"AWS Health Event"', 'detail.eventArn');
  });

  it('names an unknown execution status', () => {
    // Prepare
    const input = fixture('states/execution-failed');
    detailOf(input).status = 'EXPLODED';

    // Act / Assess
    expectRejected(input, 'detail.status');
  });

  it('rejects a 100 KB string and says where it was', () => {
    // Prepare
    const input = fixture('cloudwatch/alarm-state-change-alarm');
    detailOf(input).alarmName = 'x'.repeat(100_000);

    // Act
    const reason = expectRejected(input, 'detail.alarmName');

    // Assess
    expect(reason).not.toContain('x'.repeat(100));
  });

  it('truncates a 100 KB Health description instead of rejecting the event', () => {
    // Prepare: the description is free text AWS writes; the event is still worth handling
    const long = fixture('health/ec2-az-operational-issue');
    detailOf(long).eventDescription = [
      { language: 'en_US', latestDescription: `us-east-1b ${'y'.repeat(100_000)}` },
    ];

    // Act
    const parsed = parseIncomingEvent(long);

    // Assess
    expect(parsed.ok).toBe(true);
    const [event] = parsed.ok ? parsed.events : [];
    const description =
      event?.source === 'aws.health' ? event.detail.eventDescription?.[0]?.latestDescription : '';
    expect(description?.length).toBe(MAX_HEALTH_DESCRIPTION_LENGTH);
    expect(description?.startsWith('us-east-1b yyy')).toBe(true);
    expect(description?.endsWith('…')).toBe(true);
  });

  it('rejects a forged account id', () => {
    // Prepare
    const forged = { ...fixture('health/ec2-az-operational-issue'), account: 'not-an-account' };

    // Act / Assess
    expectRejected(forged, 'account: expected a 12-digit AWS account id');
  });

  it('rejects oversize arrays', () => {
    // Prepare
    const input = {
      ...fixture('rds/failover-completed-0049'),
      resources: Array.from({ length: 10_000 }, () => 'arn'),
    };

    // Act / Assess
    expectRejected(input, 'resources');
  });

  it('bounds the reason when everything is wrong', () => {
    // Prepare
    const input = {
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance Launch Unsuccessful',
      version: 1,
      id: 2,
      account: 3,
      time: 4,
      region: 5,
      detail: { AutoScalingGroupName: 'z'.repeat(10_000) },
    };

    // Act
    const reason = expectRejected(input, 'and 1 more issue(s)');

    // Assess
    expect(reason).not.toContain('\n');
  });

  it('rejects an SNS message that is not an ElastiCache notification', () => {
    // Prepare
    const input = fixture('elasticache/failover-complete');
    const [record] = input.Records as JsonObject[];
    (record?.Sns as JsonObject).Message = 'Hello from SNS!';

    // Act / Assess
    expectRejected(input, 'Records.0.Sns.Message', 'not an ElastiCache notification');
  });

  it('rejects an ElastiCache notification naming a malformed node id', () => {
    // Prepare
    const input = fixture('elasticache/failover-complete');
    const [record] = input.Records as JsonObject[];
    (record?.Sns as JsonObject).Message = 'ElastiCache:FailoverComplete : my cluster; rm -rf';

    // Act / Assess
    expectRejected(input, 'detail.target', 'expected a cache node or group id');
  });

  it('rejects malformed SNS events', () => {
    expectRejected({ Records: [] }, 'invalid SNS event', 'Records');
    expectRejected({ Records: 'nope' }, 'invalid SNS event', 'Records');
    const input = fixture('elasticache/failover-complete');
    const [record] = input.Records as JsonObject[];
    (record?.Sns as JsonObject).TopicArn = 'arn:aws:sqs:us-east-2:123456789012:queue';
    expectRejected(input, 'Records.0.Sns.TopicArn', 'expected an SNS topic ARN');
  });

  it('never throws, even on an object whose properties throw', () => {
    // Prepare
    const hostile = new Proxy(
      {},
      {
        has: () => {
          throw new Error('boom');
        },
        get: () => {
          throw new Error('boom');
        },
      },
    );

    // Act / Assess
    expectRejected(hostile, 'could not be validated', 'boom');
  });
});
