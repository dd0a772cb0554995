import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseConfig } from '../config.js';
import { acknowledgeFinding } from '../nag.js';

export const DATABASE_PORT = 5432;
/** The shop's database on the primary. */
export const DATABASE_NAME = 'shop';
const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

export interface DatabaseProps {
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly availabilityZones: readonly string[];
  readonly sizing: DatabaseConfig;
  readonly protectData: boolean;
}

/**
 * RDS PostgreSQL, Multi-AZ, in the isolated subnets: encrypted with a customer key,
 * credentials in Secrets Manager with rotation, TLS enforced, backups, Performance
 * Insights, enhanced monitoring, and read replicas spread over distinct AZs.
 *
 * RDS itself picks the AZs of a Multi-AZ primary and its standby (CloudFormation rejects an
 * AvailabilityZone with MultiAZ) and swaps them on failover, so "not in the primary's AZ"
 * cannot be fixed at deploy time. Replicas go to the AZs from the last one backwards, one per
 * AZ, so every AZ holds a copy of the data once the standby is counted.
 */
export class Database extends Construct {
  public readonly primary: rds.DatabaseInstance;
  /** `rebound-<stage>-db`, the primary's identifier and Name tag, as a plain string. */
  public readonly primaryId: string;
  public readonly replicas: rds.DatabaseInstanceReadReplica[] = [];
  public readonly key: kms.Key;
  /** Admin credentials (JSON with host, port, username, password), rotated every 30 days. */
  public readonly credentials: rds.DatabaseSecret;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { sizing } = props;
    const replicaAzs = [...props.availabilityZones].reverse();
    const instanceType = new ec2.InstanceType(sizing.instanceClass);
    const removalPolicy = props.protectData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-database`,
      description: 'Rebound database storage, Performance Insights and backups',
      enableKeyRotation: true,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const majorVersion = sizing.engineVersion.split('.')[0] ?? sizing.engineVersion;
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(sizing.engineVersion, majorVersion),
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Rebound PostgreSQL: TLS only, slow statements logged',
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '1000',
      },
    });

    const subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      description: 'Rebound database: isolated subnets of the three AZs',
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // One enhanced-monitoring role for every instance instead of one each.
    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: 'RDS enhanced monitoring of the Rebound database instances',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
      ],
    });

    acknowledgeFinding(
      monitoringRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'The policy AWS documents for the enhanced-monitoring role; it only writes the RDSOSMetrics log group.',
    );

    const common: rds.DatabaseInstanceNewProps & { instanceType: ec2.InstanceType } = {
      instanceType,
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [props.securityGroup],
      port: DATABASE_PORT,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.key,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      monitoringInterval: Duration.seconds(60),
      monitoringRole,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      autoMinorVersionUpgrade: true,
      deletionProtection: props.protectData,
      removalPolicy,
      publiclyAccessible: false,
    };

    this.credentials = new rds.DatabaseSecret(this, 'Credentials', {
      username: 'rebound_admin',
      secretName: `${props.namePrefix}-db-credentials`,
    });
    const primaryId = `${props.namePrefix}-db`;
    this.primaryId = primaryId;
    this.primary = new rds.DatabaseInstance(this, 'Primary', {
      ...common,
      instanceIdentifier: primaryId,
      engine,
      // Replicas inherit encryption (and this key) from their source.
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      multiAz: true,
      credentials: rds.Credentials.fromSecret(this.credentials),
      databaseName: DATABASE_NAME,
      allocatedStorage: sizing.allocatedStorageGiB,
      maxAllocatedStorage: sizing.maxAllocatedStorageGiB,
      backupRetention: Duration.days(sizing.backupRetentionDays),
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      copyTagsToSnapshot: true,
    });
    // The exact Name tag by which the game-day stack's AWS FIS experiments find the primary: FIS
    // rejects a target that gives both ARNs and the AZ parameter an AZ power interruption needs.
    Tags.of(this.primary.node.defaultChild as rds.CfnDBInstance).add('Name', primaryId);
    this.primary.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });
    this.retainLogs(this.primary, primaryId, props.protectData);
    acknowledgeFinding(
      this,
      'AwsSolutions-RDS11',
      'PostgreSQL keeps its standard port 5432: only the web tier security group may reach it, in isolated subnets, so a non-standard port adds no protection but breaks tooling defaults.',
    );
    if (!props.protectData) {
      acknowledgeFinding(
        this,
        'AwsSolutions-RDS10',
        'Dev stages are disposable: deletion protection (and snapshot on delete) is on for every non-dev stage.',
      );
    }

    for (let index = 0; index < sizing.readReplicas; index++) {
      const replicaId = `${props.namePrefix}-db-replica-${index + 1}`;
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${index + 1}`, {
        ...common,
        instanceIdentifier: replicaId,
        sourceDatabaseInstance: this.primary,
        availabilityZone: replicaAzs[index % replicaAzs.length],
      });
      this.retainLogs(replica, replicaId, props.protectData);
      acknowledgeFinding(
        replica,
        'AwsSolutions-RDS2',
        'A same-region read replica inherits storage encryption and the KMS key of its encrypted source; CloudFormation rejects StorageEncrypted together with SourceDBInstanceIdentifier.',
      );
      acknowledgeFinding(
        replica,
        'AwsSolutions-RDS3',
        'Read replicas are the read redundancy themselves, one per AZ; the primary is Multi-AZ. A failed replica is replaced, it holds no data the primary lacks.',
      );
      this.replicas.push(replica);
    }
  }

  /**
   * Creates the log groups RDS exports into, with a retention, before the instance exists:
   * cheaper and simpler than CDK's log-retention custom resource (a Lambda per stack).
   */
  private retainLogs(instance: rds.IDatabaseInstance, instanceId: string, protectData: boolean) {
    for (const log of LOG_EXPORTS) {
      const group = new logs.LogGroup(this, `${instance.node.id}-${log}-logs`, {
        logGroupName: `/aws/rds/instance/${instanceId}/${log}`,
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      instance.node.addDependency(group);
    }
  }
}
