import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cacheDescriber } from '../../functions/lib/aws/clients/elasticache.js';
import { fleetDescribers } from '../../functions/lib/aws/clients/fleet.js';
import { databaseDescriber } from '../../functions/lib/aws/clients/rds.js';
import {
  AwsResourceEnricher,
  type ResourceEnricherOptions,
} from '../../functions/lib/aws/resource-enricher.js';

const TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rebound-prod-web/0123456789abcdef';

const autoScalingMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);
const elastiCacheMock = mockClient(ElastiCacheClient);
const elbv2Mock = mockClient(ElasticLoadBalancingV2Client);

// The describers triage loads on first use, over their own (mocked) clients.
const enricher = (options: Partial<ResourceEnricherOptions> = {}) =>
  new AwsResourceEnricher(
    { ...fleetDescribers, ...databaseDescriber, ...cacheDescriber },
    { timeBudgetMs: 1000, ...options },
  );

const instance = (id: string, zone: string, lifecycle: string, health = 'Healthy') => ({
  InstanceId: id,
  AvailabilityZone: zone,
  LifecycleState: lifecycle as 'InService',
  HealthStatus: health,
  ProtectedFromScaleIn: false,
});

beforeEach(() => {
  autoScalingMock.reset();
  rdsMock.reset();
  elastiCacheMock.reset();
  elbv2Mock.reset();
});

describe('AwsResourceEnricher: Auto Scaling group', () => {
  it('gives capacity, then instances and health per AZ', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'rebound-prod-web',
          MinSize: 3,
          MaxSize: 9,
          DesiredCapacity: 4,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a', 'us-east-1b'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(),
          Instances: [
            instance('i-0aaa', 'us-east-1a', 'InService'),
            instance('i-0bbb', 'us-east-1a', 'Pending'),
            instance('i-0ccc', 'us-east-1b', 'InService', 'Unhealthy'),
            instance('i-0ddd', 'us-east-1b', 'InService'),
          ],
          SuspendedProcesses: [{ ProcessName: 'AZRebalance' }],
        },
      ],
    });

    // Act
    const state = await enricher().describe({ type: 'auto-scaling-group', id: 'rebound-prod-web' });

    // Assess
    expect(state).toEqual({
      lines: [
        'rebound-prod-web: 3 InService / desired 4 (min 3, max 9)',
        'us-east-1a: 1 InService, 1 Pending, all healthy',
        'us-east-1b: 2 InService; unhealthy: i-0ccc',
        'suspended processes: AZRebalance',
      ],
    });
    expect(autoScalingMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['rebound-prod-web'],
    });
  });

  it('says when the group is at its maximum', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'rebound-prod-web',
          MinSize: 3,
          MaxSize: 3,
          DesiredCapacity: 3,
          DefaultCooldown: 300,
          AvailabilityZones: [],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(),
          Instances: [],
        },
      ],
    });

    // Act
    const state = await enricher().describe({ type: 'auto-scaling-group', id: 'rebound-prod-web' });

    // Assess
    expect(state.lines[0]).toBe(
      'rebound-prod-web: 0 InService / desired 3 (min 3, max 3) - at its maximum',
    );
  });

  it('reports a missing group as unavailable', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    // Act
    const state = await enricher().describe({ type: 'auto-scaling-group', id: 'gone' });

    // Assess
    expect(state).toEqual({ lines: [], unavailable: 'Auto Scaling group gone not found' });
  });
});

describe('AwsResourceEnricher: EC2 instance', () => {
  it('gives its group, lifecycle and health, and its target health', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        {
          InstanceId: 'i-0ccc',
          AutoScalingGroupName: 'rebound-prod-web',
          AvailabilityZone: 'us-east-1b',
          LifecycleState: 'InService',
          HealthStatus: 'UNHEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });
    elbv2Mock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: 'i-0ccc', Port: 80 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.FailedHealthChecks',
            Description: 'Health checks failed',
          },
        },
      ],
    });

    // Act
    const state = await enricher({ targetGroupArn: TARGET_GROUP_ARN }).describe({
      type: 'ec2-instance',
      id: 'i-0ccc',
    });

    // Assess
    expect(state).toEqual({
      lines: [
        'i-0ccc: group rebound-prod-web, us-east-1b, lifecycle InService, health UNHEALTHY',
        'target group: 1 unhealthy',
        'target i-0ccc: unhealthy (Target.FailedHealthChecks: Health checks failed)',
      ],
    });
    expect(elbv2Mock).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {
      TargetGroupArn: TARGET_GROUP_ARN,
      Targets: [{ Id: 'i-0ccc' }],
    });
  });

  it('skips target health without a target group, and names a groupless instance', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });

    // Act
    const state = await enricher().describe({ type: 'ec2-instance', id: 'i-0zzz' });

    // Assess
    expect(state.lines).toEqual([
      "i-0zzz: in no Auto Scaling group (terminated, detached or not the shop's)",
    ]);
    expect(elbv2Mock).not.toHaveReceivedCommand(DescribeTargetHealthCommand);
  });
});

describe('AwsResourceEnricher: target group', () => {
  it('summarises the configured target group when the signal names it', async () => {
    // Prepare
    elbv2Mock.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0aaa' }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0bbb' }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: 'i-0ccc' },
          TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress' },
        },
      ],
    });

    // Act
    const state = await enricher({ targetGroupArn: TARGET_GROUP_ARN }).describe({
      type: 'target-group',
      id: 'targetgroup/rebound-prod-web/0123456789abcdef',
    });

    // Assess
    expect(state.lines).toEqual([
      'target group: 2 healthy, 1 draining',
      'target i-0ccc: draining (Target.DeregistrationInProgress)',
    ]);
  });
});

describe('AwsResourceEnricher: DB instance', () => {
  it('gives status, Multi-AZ placement and replicas', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'rebound-prod-db',
          DBInstanceStatus: 'available',
          MultiAZ: true,
          AvailabilityZone: 'us-east-1b',
          SecondaryAvailabilityZone: 'us-east-1a',
          ReadReplicaDBInstanceIdentifiers: ['rebound-prod-db-replica-1'],
        },
      ],
    });

    // Act
    const state = await enricher().describe({ type: 'db-instance', id: 'rebound-prod-db' });

    // Assess
    expect(state).toEqual({
      lines: [
        'rebound-prod-db: available, Multi-AZ yes, in us-east-1b, standby in us-east-1a',
        'read replicas: rebound-prod-db-replica-1',
      ],
    });
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'rebound-prod-db',
    });
  });

  it('gives the source and replication status of a read replica', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'rebound-prod-db-replica-1',
          DBInstanceStatus: 'available',
          MultiAZ: false,
          AvailabilityZone: 'us-east-1c',
          ReadReplicaSourceDBInstanceIdentifier: 'rebound-prod-db',
          StatusInfos: [
            { StatusType: 'read replication', Status: 'error', Normal: false, Message: 'IO error' },
          ],
        },
      ],
    });

    // Act
    const state = await enricher().describe({
      type: 'db-instance',
      id: 'rebound-prod-db-replica-1',
    });

    // Assess
    expect(state.lines).toEqual([
      'rebound-prod-db-replica-1: available, Multi-AZ no, in us-east-1c',
      'read replica of rebound-prod-db',
      'read replication: error (not normal) - IO error',
    ]);
  });
});

describe('AwsResourceEnricher: cache replication group', () => {
  it('gives status, automatic failover and the role and AZ of each member', async () => {
    // Prepare
    elastiCacheMock.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'rebound-prod-cache',
          Status: 'available',
          AutomaticFailover: 'enabled',
          MultiAZ: 'enabled',
          MemberClusters: ['rebound-prod-cache-001', 'rebound-prod-cache-002'],
          NodeGroups: [
            {
              NodeGroupId: '0001',
              Status: 'available',
              NodeGroupMembers: [
                {
                  CacheClusterId: 'rebound-prod-cache-001',
                  CurrentRole: 'primary',
                  PreferredAvailabilityZone: 'us-east-1a',
                },
                {
                  CacheClusterId: 'rebound-prod-cache-002',
                  CurrentRole: 'replica',
                  PreferredAvailabilityZone: 'us-east-1b',
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const state = await enricher().describe({
      type: 'cache-replication-group',
      id: 'rebound-prod-cache',
    });

    // Assess
    expect(state).toEqual({
      lines: [
        'rebound-prod-cache: available, automatic failover enabled, Multi-AZ enabled',
        'shard 0001 available: rebound-prod-cache-001 primary (us-east-1a), rebound-prod-cache-002 replica (us-east-1b)',
      ],
    });
  });
});

describe('AwsResourceEnricher: never throws', () => {
  it('turns an API error into unavailable', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).rejects(new Error('Rate exceeded'));

    // Act
    const state = await enricher().describe({ type: 'db-instance', id: 'rebound-prod-db' });

    // Assess
    expect(state.lines).toEqual([]);
    expect(state.unavailable).toMatch(/^describe failed: .*Rate exceeded/);
  });

  it('gives up when the time budget runs out', async () => {
    // Prepare
    autoScalingMock
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake(() => new Promise(() => undefined));
    const started = Date.now();

    // Act
    const state = await enricher({ timeBudgetMs: 50 }).describe({
      type: 'auto-scaling-group',
      id: 'rebound-prod-web',
    });

    // Assess
    expect(state).toEqual({ lines: [], unavailable: 'no answer within 50 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up when one of two parallel calls hangs', async () => {
    // Prepare
    autoScalingMock.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    elbv2Mock.on(DescribeTargetHealthCommand).callsFake(() => new Promise(() => undefined));

    // Act
    const state = await enricher({ timeBudgetMs: 50, targetGroupArn: TARGET_GROUP_ARN }).describe({
      type: 'ec2-instance',
      id: 'i-0abc',
    });

    // Assess
    expect(state).toEqual({ lines: [], unavailable: 'no answer within 50 ms' });
  });

  it.each([
    { type: 'distribution', id: 'E2EXAMPLE' },
    { type: 'availability-zone', id: 'us-east-1a' },
    { type: 'target-group', id: 'targetgroup/someone-else/abc' },
  ] as const)('has no live state for $type $id', async (resource) => {
    // Act
    const state = await enricher({ targetGroupArn: TARGET_GROUP_ARN }).describe(resource);

    // Assess
    expect(state).toEqual({ lines: [], unavailable: `no live state for ${resource.type}` });
    expect(elbv2Mock).not.toHaveReceivedAnyCommand();
  });
});
