import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { unavailableCacheZones } from '../../functions/lib/aws/describe-cache.js';
import { dbInstanceZones } from '../../functions/lib/aws/describe-database.js';
import {
  standoutZones,
  targetErrorZones,
} from '../../functions/lib/aws/describe-target-error-zones.js';
import { unhealthyTargetZones } from '../../functions/lib/aws/describe-unhealthy-zones.js';
import { AwsZoneLocator, type ZoneLookups } from '../../functions/lib/aws/zone-locator.js';
import type { ZoneQuestion } from '../../functions/lib/core/zone-questions.js';

/** Triage's AZ lookups over their SDK clients, and the bounded locator over them. */

const rdsMock = mockClient(RDSClient);
const cacheMock = mockClient(ElastiCacheClient);
const cloudWatchMock = mockClient(CloudWatchClient);
beforeEach(() => {
  rdsMock.reset();
  cacheMock.reset();
  cloudWatchMock.reset();
});

const signal = new AbortController().signal;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const NOW = new Date('2026-11-27T02:07:32Z');
/** A per-AZ look at the shop's target group, the last 5 minutes. */
const query = {
  loadBalancer: 'app/rebound-dev-alb/50dc6c495c0c9188',
  targetGroup: 'targetgroup/rebound-dev-web/50dc6c495c0c9188',
  availabilityZones: ZONES,
  minutes: 5,
  now: NOW,
};
const minute = (m: number) => new Date(Date.UTC(2026, 10, 27, 2, m));

describe('dbInstanceZones', () => {
  it("answers the AZ RDS describes the instance in (at a failover's start, the failing primary's)", async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ AvailabilityZone: 'us-east-1b', SecondaryAvailabilityZone: 'us-east-1c' }],
    });

    // Act
    const zones = await dbInstanceZones(new RDSClient({}), 'rebound-dev-db', signal);

    // Assess
    expect(zones).toEqual(['us-east-1b']);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'rebound-dev-db',
    });
  });
});

describe('unavailableCacheZones', () => {
  it('answers the AZs of the member clusters that are not available', async () => {
    // Prepare: the failed primary (001, us-east-1b) is being replaced.
    cacheMock.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [{ MemberClusters: ['rebound-dev-cache-001', 'rebound-dev-cache-002'] }],
    });
    cacheMock
      .on(DescribeCacheClustersCommand, { CacheClusterId: 'rebound-dev-cache-001' })
      .resolves({
        CacheClusters: [
          { CacheClusterStatus: 'modifying', PreferredAvailabilityZone: 'us-east-1b' },
        ],
      })
      .on(DescribeCacheClustersCommand, { CacheClusterId: 'rebound-dev-cache-002' })
      .resolves({
        CacheClusters: [
          { CacheClusterStatus: 'available', PreferredAvailabilityZone: 'us-east-1a' },
        ],
      });

    // Act
    const zones = await unavailableCacheZones(
      new ElastiCacheClient({}),
      'rebound-dev-cache',
      signal,
    );

    // Assess
    expect(zones).toEqual(['us-east-1b']);
    expect(cacheMock).toHaveReceivedCommandWith(DescribeReplicationGroupsCommand, {
      ReplicationGroupId: 'rebound-dev-cache',
    });
  });
});

describe('unhealthyTargetZones', () => {
  it('answers the AZ whose hosts turned unhealthy first, not where the replacements booted later', async () => {
    // Prepare: newest first, as GetMetricData answers.
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'az0', Timestamps: [minute(6), minute(5)], Values: [1, 0] },
        { Id: 'az1', Timestamps: [minute(6), minute(5)], Values: [0, 0] },
        { Id: 'az2', Timestamps: [minute(6), minute(5), minute(4)], Values: [1, 1, 0] },
      ],
    });

    // Act
    const zones = await unhealthyTargetZones(new CloudWatchClient({}), query, signal);

    // Assess
    expect(zones).toEqual(['us-east-1c']);
    expect(cloudWatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(NOW.getTime() - 5 * 60_000),
      EndTime: NOW,
      MetricDataQueries: expect.arrayContaining([
        {
          Id: 'az2',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'UnHealthyHostCount',
              Dimensions: [
                { Name: 'AvailabilityZone', Value: 'us-east-1c' },
                { Name: 'LoadBalancer', Value: query.loadBalancer },
                { Name: 'TargetGroup', Value: query.targetGroup },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ]),
    });
  });

  it('answers every AZ unhealthy in the first minute, and none without an unhealthy host', async () => {
    // Prepare
    cloudWatchMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'az0', Timestamps: [minute(5)], Values: [2] },
          { Id: 'az1', Timestamps: [minute(5)], Values: [1] },
        ],
      })
      .resolvesOnce({ MetricDataResults: [{ Id: 'az0', Timestamps: [minute(5)], Values: [0] }] });
    const client = new CloudWatchClient({});

    // Act
    const two = await unhealthyTargetZones(client, query, signal);
    const none = await unhealthyTargetZones(client, query, signal);

    // Assess
    expect(two).toEqual(['us-east-1a', 'us-east-1b']);
    expect(none).toEqual([]);
  });
});

describe('targetErrorZones', () => {
  const sums = (id: string, values: number[]) => ({
    Id: id,
    Timestamps: values.map((_, index) => minute(6 - index)),
    Values: values,
  });

  it("answers the AZ whose targets' 5xx share stands out, the per-AZ Sums of RequestCount and HTTPCode_Target_5XX_Count", async () => {
    // Prepare: us-east-1b fails 30% of its third of the traffic; the 5xx count is not reported
    // where it is zero ("Reporting criteria: There is a nonzero value"), so 1a and 1c have none.
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        sums('requests0', [1000, 1000]),
        sums('requests1', [1000, 1000]),
        sums('errors1', [300, 300]),
        sums('requests2', [1000, 1000]),
      ],
    });

    // Act
    const zones = await targetErrorZones(new CloudWatchClient({}), query, signal);

    // Assess
    expect(zones).toEqual(['us-east-1b']);
    const dimensions = [
      { Name: 'AvailabilityZone', Value: 'us-east-1b' },
      { Name: 'LoadBalancer', Value: query.loadBalancer },
      { Name: 'TargetGroup', Value: query.targetGroup },
    ];
    expect(cloudWatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(NOW.getTime() - 5 * 60_000),
      EndTime: NOW,
      MetricDataQueries: expect.arrayContaining(
        ['RequestCount', 'HTTPCode_Target_5XX_Count'].map((MetricName) => ({
          Id: MetricName === 'RequestCount' ? 'requests1' : 'errors1',
          MetricStat: {
            Metric: { Namespace: 'AWS/ApplicationELB', MetricName, Dimensions: dimensions },
            Period: 60,
            Stat: 'Sum',
          },
        })),
      ),
    });
  });

  it('answers none when every AZ fails alike (the app, not an AZ) or nothing fails', async () => {
    // Prepare
    cloudWatchMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [0, 1, 2].flatMap((index) => [
          sums(`requests${index}`, [1000]),
          sums(`errors${index}`, [100 + 10 * index]),
        ]),
      })
      .resolvesOnce({ MetricDataResults: [sums('requests0', [1000])] });
    const client = new CloudWatchClient({});

    // Act
    const alike = await targetErrorZones(client, query, signal);
    const none = await targetErrorZones(client, query, signal);

    // Assess
    expect([alike, none]).toEqual([[], []]);
  });
});

describe('standoutZones', () => {
  it("names an AZ only when its 5xx share is more than twice the other AZs' together", () => {
    // Prepare
    const zone = (name: string, requests: number, errors: number) => ({
      zone: name,
      requests,
      errors,
    });

    // Act
    const outcomes = [
      // One AZ at 30%, the others clean.
      standoutZones([zone('a', 100, 30), zone('b', 100, 0), zone('c', 100, 0)]),
      // Two AZs as bad as each other: neither is twice the rest (15%).
      standoutZones([zone('a', 100, 30), zone('b', 100, 30), zone('c', 100, 0)]),
      // An AZ the load balancer sends nothing to (a zonal shift) stands out for nothing.
      standoutZones([zone('a', 0, 0), zone('b', 100, 1), zone('c', 100, 0)]),
      // One AZ alone: nothing to stand out from.
      standoutZones([zone('a', 100, 30)]),
    ];

    // Assess
    expect(outcomes).toEqual([['a'], [], ['b'], []]);
  });
});

describe('AwsZoneLocator', () => {
  const question: ZoneQuestion = { type: 'db-failover', dbInstanceId: 'rebound-dev-db' };
  const locatorOver = (
    dbInstance: ZoneLookups['dbInstance'],
    failures: unknown[] = [],
    timeBudgetMs = 1000,
  ) =>
    new AwsZoneLocator(
      {
        dbInstance,
        unavailableCacheMembers: async () => [],
        unhealthyTargets: async () => [],
        targetErrors: async () => [],
      },
      {
        timeBudgetMs,
        availabilityZones: ZONES,
        unhealthyTargetsMinutes: 5,
        targetErrorsMinutes: 5,
        clock: { now: () => NOW },
        onFailure: (_question, why) => failures.push(why),
      },
    );

  it("answers one of the shop's AZs, and nothing when AWS names several or none of them", async () => {
    // Act
    const one = await locatorOver(async () => ['us-east-1b', 'us-east-1b']).locate(question);
    const two = await locatorOver(async () => ['us-east-1a', 'us-east-1b']).locate(question);
    const foreign = await locatorOver(async () => ['eu-west-1a']).locate(question);

    // Assess
    expect([one, two, foreign]).toEqual(['us-east-1b', undefined, undefined]);
  });

  it("asks for the targets' 5xx over its own window when the question is the 5xx alarm's", async () => {
    // Prepare
    const queries: unknown[] = [];
    const locator = new AwsZoneLocator(
      {
        dbInstance: async () => [],
        unavailableCacheMembers: async () => [],
        unhealthyTargets: async () => ['us-east-1a'],
        targetErrors: async (query) => {
          queries.push(query);
          return ['us-east-1c'];
        },
      },
      {
        timeBudgetMs: 1000,
        availabilityZones: ZONES,
        unhealthyTargetsMinutes: 5,
        targetErrorsMinutes: 7,
        clock: { now: () => NOW },
      },
    );

    // Act
    const zone = await locator.locate({
      type: 'target-errors',
      loadBalancer: 'app/rebound-dev-alb/1',
      targetGroup: 'targetgroup/rebound-dev-web/2',
    });

    // Assess
    expect(zone).toBe('us-east-1c');
    expect(queries).toEqual([
      {
        loadBalancer: 'app/rebound-dev-alb/1',
        targetGroup: 'targetgroup/rebound-dev-web/2',
        availabilityZones: ZONES,
        minutes: 7,
        now: NOW,
      },
    ]);
  });

  it('goes on without an AZ, and says why, when the call fails or runs out of its budget', async () => {
    // Prepare
    const failures: unknown[] = [];
    let aborted = false;
    const slow = locatorOver(
      (_id, abortSignal) =>
        new Promise((resolve) => {
          abortSignal.addEventListener('abort', () => {
            aborted = true;
          });
          setTimeout(() => resolve(['us-east-1b']), 1_000);
        }),
      failures,
      20,
    );
    const failing = locatorOver(async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    }, failures);

    // Act
    const late = await slow.locate(question);
    const failed = await failing.locate(question);

    // Assess
    expect([late, failed]).toEqual([undefined, undefined]);
    expect(aborted).toBe(true);
    expect(failures.map((why) => String(why))).toEqual([
      'Error: no answer within 20 ms',
      'Error: ThrottlingException: Rate exceeded',
    ]);
  });
});
