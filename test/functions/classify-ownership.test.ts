import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import type { ShopInventory } from '../../functions/lib/core/inventory.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/** Near misses: the documented samples, renamed to the shop's resources or left as they are. */

type JsonObject = { [key: string]: unknown };

const fixture = (path: string): JsonObject & { detail: JsonObject } =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'));

const classified = (input: unknown, inventory: ShopInventory = SHOP): Signal | null => {
  const result = parseIncomingEvent(input);
  if (!result.ok || result.events[0] === undefined) throw new Error('event must parse');
  return classify(result.events[0], inventory);
};

const withDetail = (path: string, detail: JsonObject): JsonObject => {
  const event = fixture(path);
  return { ...event, detail: { ...event.detail, ...detail } };
};

describe('classify: Auto Scaling events of the shop group only', () => {
  it('ignores the documented sample group', () => {
    expect(classified(fixture('autoscaling/launch-unsuccessful'))).toBeNull();
    expect(classified(fixture('autoscaling/instance-refresh-failed'))).toBeNull();
    expect(classified(fixture('autoscaling/launch-lifecycle-action'))).toBeNull();
  });

  it('takes the same event for the shop group', () => {
    // Prepare
    const input = withDetail('autoscaling/launch-unsuccessful', {
      AutoScalingGroupName: 'rebound-dev-web',
    });

    // Act / Assess
    expect(classified(input)).toMatchObject({
      kind: 'instance-health',
      partKey: 'asg-launch:rebound-dev-web',
    });
  });

  it('tells a plain termination from one after a failed health check', () => {
    // Prepare
    const input = withDetail('autoscaling/terminate-successful', {
      AutoScalingGroupName: 'rebound-dev-web',
      Cause:
        'At 2024-03-12T10:02:11Z an instance was taken out of service in response to a user request, shrinking the capacity from 2 to 1.',
    });

    // Act / Assess
    expect(classified(input)).toMatchObject({ kind: 'informational', phase: 'info' });
  });

  it('reads a failed launch that created no instance', () => {
    // Prepare
    const input = withDetail('autoscaling/launch-unsuccessful', {
      AutoScalingGroupName: 'rebound-dev-web',
      EC2InstanceId: '',
    });

    // Act / Assess
    expect(classified(input)?.related).toEqual([]);
  });
});

describe('classify: RDS events of the shop DBs only, by event ID', () => {
  const rds = (eventId: string | undefined, extra: JsonObject = {}): JsonObject => {
    const event = withDetail('rds/failover-completed-0049', {
      SourceIdentifier: 'rds:rebound-dev-db',
      ...extra,
    });
    if (eventId === undefined) delete (event.detail as JsonObject).EventID;
    else (event.detail as JsonObject).EventID = eventId;
    return event;
  };

  it('ignores the documented sample DB and a DB whose name merely starts like the shop one', () => {
    expect(classified(fixture('rds/failover-started-0013'))).toBeNull();
    expect(classified(rds('RDS-EVENT-0013', { SourceIdentifier: 'rebound-dev-db-2' }))).toBeNull();
  });

  it('takes the primary, with or without the rds: prefix, and names its replicas', () => {
    // Act
    const prefixed = classified(rds('RDS-EVENT-0013'));
    const bare = classified(rds('RDS-EVENT-0013', { SourceIdentifier: 'rebound-dev-db' }));

    // Assess
    expect(prefixed).toMatchObject({
      resource: { type: 'db-instance', id: 'rebound-dev-db' },
      related: [
        { type: 'db-instance', id: 'rebound-dev-db-replica-1' },
        { type: 'db-instance', id: 'rebound-dev-db-replica-2' },
      ],
      partKey: 'db-failover:rebound-dev-db',
    });
    expect(bare?.partKey).toBe(prefixed?.partKey);
  });

  it('takes a replica and names its primary', () => {
    // Act
    const signal = classified(
      rds('RDS-EVENT-0045', { SourceIdentifier: 'rebound-dev-db-replica-2' }),
    );

    // Assess
    expect(signal).toMatchObject({
      kind: 'database-degraded',
      partKey: 'db-replication:rebound-dev-db-replica-2',
      related: [{ type: 'db-instance', id: 'rebound-dev-db' }],
    });
  });

  it.each<[string | undefined, string[], Partial<Signal>]>([
    [
      'RDS-EVENT-0034',
      ['failover'],
      {
        kind: 'database-failover',
        phase: 'problem',
        severity: 'critical',
        partKey: 'db-failover:rebound-dev-db',
      },
    ],
    ['RDS-EVENT-0065', ['failover'], { kind: 'database-failover', phase: 'recovered' }],
    ['RDS-EVENT-0050', ['failover'], { kind: 'informational', phase: 'info' }],
    ['RDS-EVENT-0051', ['failover'], { kind: 'informational', phase: 'info' }],
    [
      'RDS-EVENT-0004',
      ['availability'],
      {
        kind: 'database-degraded',
        phase: 'problem',
        severity: 'warning',
        partKey: 'db-availability:rebound-dev-db',
        dbRole: 'primary',
      },
    ],
    [
      'RDS-EVENT-0006',
      ['availability'],
      { kind: 'database-degraded', phase: 'recovered', partKey: 'db-availability:rebound-dev-db' },
    ],
    [
      'RDS-EVENT-0057',
      ['read replica'],
      { kind: 'database-degraded', phase: 'problem', partKey: 'db-replication:rebound-dev-db' },
    ],
    [
      'RDS-EVENT-0062',
      ['read replica'],
      { kind: 'database-degraded', phase: 'problem', partKey: 'db-replication:rebound-dev-db' },
    ],
    [
      'RDS-EVENT-0046',
      ['read replica'],
      { kind: 'database-degraded', phase: 'recovered', partKey: 'db-replication:rebound-dev-db' },
    ],
    [
      'RDS-EVENT-0031',
      ['failure'],
      {
        kind: 'database-degraded',
        phase: 'problem',
        severity: 'critical',
        partKey: 'db-primary-failure:rebound-dev-db',
      },
    ],
    [
      'RDS-EVENT-0223',
      ['failure'],
      {
        kind: 'database-degraded',
        phase: 'problem',
        severity: 'warning',
        partKey: 'db-failure:rebound-dev-db',
      },
    ],
    [
      undefined,
      ['failure'],
      { kind: 'database-degraded', phase: 'problem', partKey: 'db-failure:rebound-dev-db' },
    ],
    [
      undefined,
      ['notification'],
      { kind: 'informational', phase: 'info', partKey: 'db-event:rebound-dev-db' },
    ],
    ['RDS-EVENT-0154', ['notification'], { kind: 'informational', phase: 'info' }],
  ])('%s (%s)', (eventId, EventCategories, expected) => {
    expect(classified(rds(eventId, { EventCategories }))).toMatchObject(expected);
  });

  it('never matches on the message text', () => {
    // Prepare
    const input = rds('RDS-EVENT-0049', { Message: 'A Multi-AZ failover has started.' });

    // Act / Assess
    expect(classified(input)?.phase).toBe('recovered');
  });
});

describe('classify: AWS Health events for the shop region and services', () => {
  it('maps the AZ ID in the description to the account AZ name', () => {
    expect(classified(fixture('health/ec2-az-operational-issue'))).toMatchObject({
      kind: 'az-impairment',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      availabilityZone: 'us-east-1a',
    });
  });

  it('keeps an AZ ID it cannot map', () => {
    // Act
    const signal = classified(fixture('health/ec2-az-operational-issue'), {
      ...SHOP,
      azIdToName: {},
    });

    // Assess
    expect(signal).toMatchObject({
      kind: 'az-impairment',
      resource: { type: 'availability-zone', id: 'use1-az2' },
      availabilityZone: 'use1-az2',
    });
  });

  it('reads an AZ name of the event region from the description', () => {
    // Prepare
    const input = withDetail('health/ec2-az-operational-issue', {
      eventDescription: [
        {
          language: 'en_US',
          latestDescription: 'Increased error rates in us-east-1b (and not eu-west-1a).',
        },
      ],
    });

    // Act / Assess
    expect(classified(input)?.availabilityZone).toBe('us-east-1b');
  });

  it('does not take an AZ of another region for an impairment', () => {
    // Prepare
    const input = withDetail('health/ec2-az-operational-issue', {
      eventDescription: [{ language: 'en_US', latestDescription: 'Errors in eu-west-1a.' }],
    });

    // Act / Assess
    expect(classified(input)).toMatchObject({ kind: 'instance-health', phase: 'problem' });
  });

  it('ignores another region, wherever the event was delivered', () => {
    expect(
      classified(fixture('health/ec2-az-operational-issue'), { ...SHOP, region: 'us-west-2' }),
    ).toBeNull();
    expect(classified(fixture('health/elb-api-issue'))).toBeNull();
  });

  it('takes a backup copy delivered in another region for the shop region', () => {
    // The documented backup event affects us-east-1 and arrived in us-west-2.
    expect(classified(fixture('health/ec2-instance-store-backup-event'))).toMatchObject({
      kind: 'instance-health',
      resource: { type: 'ec2-instance', id: 'i-abcd1111' },
    });
  });

  it('ignores services the shop does not run on, even in replay', () => {
    // Prepare
    const input = withDetail('health/ec2-az-operational-issue', {
      service: 'S3',
      eventTypeCode: 'AWS_S3_OPERATIONAL_ISSUE',
    });

    // Act / Assess
    expect(classified(input, { ...SHOP, assumeOwned: true })).toBeNull();
  });

  it('takes an RDS event naming the shop DB and ignores one naming another DB', () => {
    // Prepare
    const issue = (entityValue: string) =>
      withDetail('health/rds-operational-issue', {
        eventRegion: 'us-east-1',
        affectedEntities: [{ entityValue }],
      });

    // Act / Assess
    expect(classified(issue('arn:aws:rds:us-east-1:123456789012:db:rebound-dev-db'))).toMatchObject(
      {
        kind: 'database-degraded',
        resource: { type: 'db-instance', id: 'rebound-dev-db' },
      },
    );
    expect(classified(issue('someone-elses-db'))).toBeNull();
  });

  it('keeps the cache node AWS Health names, so cache-failover can tell a primary from a replica (issue 10 #7)', () => {
    // Prepare: AWS's sample ElastiCache issue, naming one node of the shop's group.
    const input = withDetail('health/elasticache-operational-issue', {
      eventRegion: 'us-east-1',
      affectedEntities: [{ entityValue: `${SHOP.cacheReplicationGroupId}-002` }],
    });

    // Act / Assess
    expect(classified(input)).toMatchObject({
      kind: 'cache-degraded',
      resource: { type: 'cache-replication-group', id: SHOP.cacheReplicationGroupId },
      related: [{ type: 'cache-node', id: `${SHOP.cacheReplicationGroupId}-002` }],
    });
  });

  it('records an account notification as information', () => {
    // Prepare
    const input = withDetail('health/ec2-az-operational-issue', {
      eventTypeCategory: 'accountNotification',
      eventTypeCode: 'AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED',
    });

    // Act / Assess
    expect(classified(input)).toMatchObject({ kind: 'informational', phase: 'info' });
  });
});

describe('classify: Step Functions executions of Rebound runbooks only', () => {
  const execution = (status: string, name = 'rebound-dev-replace-unhealthy-instance') =>
    withDetail('states/execution-failed', {
      status,
      stateMachineArn: `arn:aws:states:us-east-1:012345678912:stateMachine:${name}`,
      executionArn: `arn:aws:states:us-east-1:012345678912:execution:${name}:incident-42`,
      name: 'incident-42',
    });

  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('escalates a runbook execution %s', (status) => {
    expect(classified(execution(status))).toMatchObject({
      kind: 'runbook-failure',
      severity: 'critical',
      resource: { type: 'state-machine', id: 'rebound-dev-replace-unhealthy-instance' },
      partKey:
        'execution:arn:aws:states:us-east-1:012345678912:execution:rebound-dev-replace-unhealthy-instance:incident-42',
      summary: `Runbook rebound-dev-replace-unhealthy-instance: execution incident-42 ${status}`,
    });
  });

  it.each(['SUCCEEDED', 'RUNNING'])('ignores a runbook execution %s', (status) => {
    expect(classified(execution(status))).toBeNull();
  });

  it('ignores state machines that are not Rebound runbooks', () => {
    expect(classified(execution('FAILED', 'someone-elses-workflow'))).toBeNull();
    expect(classified(fixture('states/execution-failed'))).toBeNull();
  });
});

describe('classify: ElastiCache notifications of the shop group only', () => {
  const notification = (message: string): JsonObject => {
    const event = fixture('elasticache/failover-complete');
    const [record] = event.Records as Array<{ Sns: JsonObject }>;
    if (record !== undefined) record.Sns.Message = message;
    return event;
  };

  it('takes a node of the shop group and ignores the documented sample cluster', () => {
    expect(classified(fixture('elasticache/cache-node-replace-started'))).toBeNull();
    expect(
      classified(
        notification('{"ElastiCache:CacheNodeReplaceStarted":"rebound-dev-cache-0001-002"}'),
      ),
    ).toMatchObject({
      kind: 'cache-degraded',
      resource: { type: 'cache-node', id: 'rebound-dev-cache-0001-002' },
      related: [{ type: 'cache-replication-group', id: 'rebound-dev-cache' }],
    });
  });

  it('records a completed failover of the shop group', () => {
    expect(
      classified(notification('ElastiCache:FailoverComplete : rebound-dev-cache')),
    ).toMatchObject({
      kind: 'cache-failover',
      phase: 'info',
      resource: { type: 'cache-replication-group', id: 'rebound-dev-cache' },
      partKey: 'cache-failover:rebound-dev-cache',
    });
  });

  it('ignores a notification that names no group', () => {
    expect(classified(notification('ElastiCache:CertificateRenewalComplete'))).toBeNull();
  });
});

describe('classify: the practice-run composite alarm repeats the shop alarms', () => {
  const composite = (alarmName: string) =>
    withDetail('cloudwatch/alarm-state-change-composite', { alarmName });

  it('ignores rebound-<stage>-practice-run-health: each member alarm reaches triage itself', () => {
    expect(classified(composite('rebound-dev-practice-run-health'))).toBeNull();
  });

  it("still takes another composite alarm of the shop's own, as information", () => {
    // Prepare: one of the shop stack's alarms, by exact name (issue 11 §4).
    const inventory = {
      ...SHOP,
      shopAlarmNames: [...SHOP.shopAlarmNames, 'rebound-dev-checkout-health'],
    };

    // Act / Assess
    expect(classified(composite('rebound-dev-checkout-health'), inventory)).toMatchObject({
      kind: 'informational',
      partKey: 'alarm:rebound-dev-checkout-health',
    });
  });

  it('ignores a composite alarm that merely carries the stage prefix', () => {
    expect(classified(composite('rebound-dev-checkout-health'))).toBeNull();
  });
});
