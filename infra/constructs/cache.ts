import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CacheConfig } from '../config.js';
import { acknowledgeFinding } from '../nag.js';

export interface CacheProps {
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly availabilityZones: readonly string[];
  readonly sizing: CacheConfig;
  readonly protectData: boolean;
}

const ENGINE_VERSIONS = { valkey: '8.1', redis: '7.1' } as const;
const PARAMETER_GROUPS = { valkey: 'default.valkey8', redis: 'default.redis7' } as const;

/**
 * ElastiCache replication group for sessions and the catalog cache: one primary and the
 * configured replicas spread over the three AZs, Multi-AZ with automatic failover,
 * encrypted in transit (TLS required) and at rest, AUTH token from Secrets Manager, a
 * non-default port, daily snapshots, and a notification topic for the control plane.
 */
export class Cache extends Construct {
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** `rebound-<stage>-cache`; member nodes are `<id>-001`, `<id>-002`, ... */
  public readonly replicationGroupId: string;
  public readonly authToken: secretsmanager.Secret;
  /**
   * ElastiCache events (failover, node replacement). Unencrypted on purpose: ElastiCache
   * cannot publish to a KMS-encrypted topic. It carries only event names and ids.
   */
  public readonly notificationTopic: sns.Topic;
  /** Cache node ids, primary first, as ElastiCache names them (`<group>-00N`). */
  public readonly memberClusterIds: string[];

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { sizing } = props;
    const groupId = `${props.namePrefix}-cache`;
    this.replicationGroupId = groupId;
    const nodeCount = sizing.replicas + 1;

    const key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-cache`,
      description: 'Rebound cache data at rest and its snapshots',
      enableKeyRotation: true,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: `${props.namePrefix}-cache-auth-token`,
      description: 'AUTH token of the Rebound cache (clients connect with TLS and this token)',
      // ElastiCache AUTH tokens are 16-128 printable characters without @, " or /.
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
    });

    acknowledgeFinding(
      this.authToken,
      'AwsSolutions-SMG4',
      'ElastiCache AUTH token rotation needs a custom rotation function calling ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE then SET); not built yet. The token never leaves Secrets Manager (dynamic reference) and TLS is required.',
    );

    this.notificationTopic = new sns.Topic(this, 'Events', {
      topicName: `${props.namePrefix}-cache-events`,
      displayName: 'Rebound cache events',
      enforceSSL: true,
    });
    acknowledgeFinding(
      this.notificationTopic,
      'AwsSolutions-SNS2',
      'ElastiCache cannot publish to a KMS-encrypted topic (AWS documentation); the topic carries only event names and node ids, no data, and requires TLS.',
    );
    const account = Stack.of(this).account;
    this.notificationTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElastiCacheNotifications',
        principals: [new iam.ServicePrincipal('elasticache.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.notificationTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceOwner': account } },
      }),
    );

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      cacheSubnetGroupName: `${props.namePrefix}-cache`,
      description: 'Rebound cache: isolated subnets of the three AZs',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: groupId,
      replicationGroupDescription: 'Rebound sessions and catalog cache',
      engine: sizing.engine,
      engineVersion: ENGINE_VERSIONS[sizing.engine],
      cacheParameterGroupName: PARAMETER_GROUPS[sizing.engine],
      cacheNodeType: sizing.nodeType,
      numCacheClusters: nodeCount,
      preferredCacheClusterAZs: Array.from(
        { length: nodeCount },
        (_, index) => props.availabilityZones[index % props.availabilityZones.length] as string,
      ),
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      port: sizing.port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: key.keyArn,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: 7,
      snapshotWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'sun:05:30-sun:06:30',
      autoMinorVersionUpgrade: true,
      notificationTopicArn: this.notificationTopic.topicArn,
      // The exact tag by which the game-day stack's AWS FIS experiment finds the group (FIS
      // targets a replication group by tag, with the AZ as the required target parameter).
      tags: [{ key: 'Name', value: groupId }],
    });
    this.replicationGroup.applyRemovalPolicy(
      props.protectData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    );

    this.memberClusterIds = Array.from(
      { length: nodeCount },
      (_, index) => `${groupId}-${String(index + 1).padStart(3, '0')}`,
    );
  }

  /** One ElastiCache metric per node (CacheClusterId), 1-minute period, primary first. */
  public nodeMetrics(metricName: string, statistic: string): cloudwatch.Metric[] {
    return this.memberClusterIds.map(
      (cacheClusterId) =>
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName,
          dimensionsMap: { CacheClusterId: cacheClusterId },
          statistic,
          period: Duration.minutes(1),
        }),
    );
  }
}
