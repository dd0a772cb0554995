import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * How the game-day experiments find the deployed shop: by the exact names and tags the shop stack
 * gives its resources, never by a cross-stack reference. A `Fn::ImportValue` would lock the
 * shop's exports while this stack exists (CloudFormation refuses to change or delete an export
 * in use), so an update of the shop that renames or drops one would fail until the game days
 * are torn down. Names are deterministic (`rebound-<stage>-…`, tested in the shop tests), so
 * ARNs are built from them here; FIS resolves the tags when an experiment starts.
 */
export interface ShopTargetNames {
  /** `rebound-<stage>-shop`: CloudFormation tags each resource it creates with it. */
  readonly shopStackName: string;
  /** The web Auto Scaling group; Auto Scaling tags its instances `aws:autoscaling:groupName`. */
  readonly webGroupName: string;
  /** The Multi-AZ primary's identifier, also its `Name` tag (database.ts). */
  readonly databaseId: string;
  /** The replication group's id, also its `Name` tag (cache.ts). */
  readonly cacheGroupId: string;
  /** The VPC's `Name` tag (network.ts). */
  readonly vpcName: string;
}

/** Tag keys AWS itself writes (EC2 Auto Scaling User Guide "Tag Auto Scaling groups and instances"; CloudFormation User Guide "Resource tags"). */
export const AUTO_SCALING_GROUP_TAG = 'aws:autoscaling:groupName';
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';

/** ARNs of the shop's resources in the stack's own account and region, from their names. */
export class ShopTargetArns {
  private readonly stack: Stack;

  constructor(
    scope: Construct,
    readonly names: ShopTargetNames,
  ) {
    this.stack = Stack.of(scope);
  }

  /** `arn:…:rds:<region>:<account>:db:<id>` (Service Authorization Reference, RDS resource type `db`). */
  get database(): string {
    return this.arn('rds', 'db', this.names.databaseId);
  }

  /** `arn:…:elasticache:<region>:<account>:replicationgroup:<id>`. */
  get cacheGroup(): string {
    return this.arn('elasticache', 'replicationgroup', this.names.cacheGroupId);
  }

  /** The group's member nodes (`<group>-001`, … cache.ts), resource type `cluster`. */
  get cacheNodes(): string {
    return this.arn('elasticache', 'cluster', `${this.names.cacheGroupId}-*`);
  }

  /**
   * The web group, its id part left open: `arn:…:autoscaling:<region>:<account>:autoScalingGroup:
   * <uuid>:autoScalingGroupName/<name>` (the uuid is only known once deployed).
   */
  get webGroup(): string {
    return this.arn(
      'autoscaling',
      'autoScalingGroup',
      `*:autoScalingGroupName/${this.names.webGroupName}`,
    );
  }

  /** Any EC2 resource of `type` in this account and region (`instance/*`, `network-acl/*`). */
  ec2(type: string): string {
    return this.stack.formatArn({ service: 'ec2', resource: type, resourceName: '*' });
  }

  /** Any KMS key of this account and region. */
  get kmsKeys(): string {
    return this.stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  }

  /** EC2's endpoint in this region, the value of `kms:ViaService` for calls EC2 makes. */
  get ec2Service(): string {
    return `ec2.${this.stack.region}.amazonaws.com`;
  }

  /** An AWS-owned SSM document: `arn:aws:ssm:<region>::document/<name>` (no account). */
  awsDocument(name: string): string {
    return `arn:${this.stack.partition}:ssm:${this.stack.region}::document/${name}`;
  }

  /** A CloudWatch alarm by its exact name. */
  alarm(name: string): string {
    return this.arn('cloudwatch', 'alarm', name);
  }

  private arn(service: string, resource: string, resourceName: string): string {
    return this.stack.formatArn({
      service,
      resource,
      resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
