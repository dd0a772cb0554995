import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AUTO_SCALING_GROUP_TAG,
  CLOUDFORMATION_STACK_TAG,
  type ShopTargetArns,
} from './shop-targets.js';

/**
 * The AWS FIS actions the game days use, each with its target in the deployed shop and the
 * exact permissions its experiment role needs. Action IDs, resource types, parameters and
 * permissions are from the AWS FIS User Guide, "AWS FIS Actions reference"
 * (docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html); target resource types,
 * filters and target parameters from "Targets for AWS FIS" (…/userguide/targets.html).
 */

/** An experiment template target (CloudFormation AWS::FIS::ExperimentTemplate ExperimentTemplateTarget). */
export interface FisTarget {
  readonly resourceType: string;
  readonly resourceArns?: readonly string[];
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly filters?: readonly { readonly path: string; readonly values: readonly string[] }[];
  readonly parameters?: Readonly<Record<string, string>>;
  /** `ALL` or `COUNT(n)`. */
  readonly selectionMode: string;
}

/** One action of an experiment template with its one target and the permissions it needs. */
export interface Fault {
  /** The action's name in the template, e.g. `Stop-Web-Instances`. */
  readonly name: string;
  readonly actionId: string;
  readonly description: string;
  /** The action's target key (`Instances`, `Subnets`, …), fixed per action by FIS. */
  readonly targetKey: string;
  readonly target: FisTarget;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly permissions: readonly iam.PolicyStatement[];
}

/** ISO 8601 duration, as every FIS duration parameter takes it ("PT1M represents one minute"). */
export type IsoDuration = `PT${number}M`;

/** `PT30M` as people read it: `30 min`. */
export const inMinutes = (duration: IsoDuration): string => `${duration.slice(2, -1)} min`;

const allow = (
  actions: string[],
  resources: string[],
  conditions?: Record<string, Record<string, unknown>>,
) => new iam.PolicyStatement({ actions, resources, conditions });

/** `ec2:ResourceTag/aws:autoscaling:groupName`: only instances of the shop's web group. */
const webGroupInstances = (arns: ShopTargetArns) => ({
  StringEquals: { [`ec2:ResourceTag/${AUTO_SCALING_GROUP_TAG}`]: arns.names.webGroupName },
});

/** The web group's running instances (Auto Scaling tags each with its group's name). */
const webInstances = (arns: ShopTargetArns, selectionMode: string, az?: string): FisTarget => ({
  resourceType: 'aws:ec2:instance',
  resourceTags: { [AUTO_SCALING_GROUP_TAG]: arns.names.webGroupName },
  // Filter paths are DescribeInstances output members (targets.html "Resource filters").
  filters: [
    { path: 'State.Name', values: ['running'] },
    ...(az === undefined ? [] : [{ path: 'Placement.AvailabilityZone', values: [az] }]),
  ],
  selectionMode,
});

/**
 * aws:ec2:stop-instances — resource type aws:ec2:instance; parameters startInstancesAfterDuration
 * (optional, PT1M–PT12H) and completeIfInstancesTerminated (optional: the group may terminate a
 * stopped instance before FIS restarts it); permissions ec2:StopInstances, ec2:StartInstances,
 * ec2:DescribeInstances, and kms:CreateGrant to restart instances with encrypted volumes.
 */
export function stopWebInstances(arns: ShopTargetArns, az: string, duration: IsoDuration): Fault {
  return {
    name: 'Stop-Web-Instances',
    actionId: 'aws:ec2:stop-instances',
    description: `Power off the web instances in ${az}; FIS starts them again after ${inMinutes(duration)}`,
    targetKey: 'Instances',
    target: webInstances(arns, 'ALL', az),
    parameters: { startInstancesAfterDuration: duration, completeIfInstancesTerminated: 'true' },
    permissions: [
      allow(
        ['ec2:StopInstances', 'ec2:StartInstances'],
        [arns.ec2('instance')],
        webGroupInstances(arns),
      ),
      // DescribeInstances has no resource-level permissions (Service Authorization Reference, EC2).
      allow(['ec2:DescribeInstances'], ['*']),
      // The web volumes are encrypted (web-tier.ts): StartInstances makes EC2 create a grant on
      // their key for the caller. Only grants EC2 creates for itself, through EC2.
      allow(['kms:CreateGrant'], [arns.kmsKeys], {
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
        StringEquals: { 'kms:ViaService': arns.ec2Service },
      }),
    ],
  };
}

/**
 * aws:ec2:asg-insufficient-instance-capacity-error — resource type aws:ec2:autoscaling-group
 * (launch templates only: the web group uses one); parameters duration, availabilityZoneIdentifiers,
 * percentage (optional, default 100); permissions ec2:InjectApiError with the condition keys
 * ec2:FisActionId and ec2:FisTargetArns (User Guide, "Example: Use condition keys for
 * ec2:InjectApiError"), and autoscaling:DescribeAutoScalingGroups.
 */
export function pauseWebLaunches(arns: ShopTargetArns, az: string, duration: IsoDuration): Fault {
  const actionId = 'aws:ec2:asg-insufficient-instance-capacity-error';
  return {
    name: 'Pause-Web-Launches',
    actionId,
    description: `Fail the web group's launches in ${az} with InsufficientInstanceCapacity for ${inMinutes(duration)}`,
    targetKey: 'AutoScalingGroups',
    target: {
      resourceType: 'aws:ec2:autoscaling-group',
      // The group's ARN holds an id known only once deployed: found by the stack tag
      // CloudFormation gives it, narrowed to its exact name (DescribeAutoScalingGroups output).
      resourceTags: { [CLOUDFORMATION_STACK_TAG]: arns.names.shopStackName },
      filters: [{ path: 'AutoScalingGroupName', values: [arns.names.webGroupName] }],
      selectionMode: 'ALL',
    },
    parameters: { availabilityZoneIdentifiers: az, duration, percentage: '100' },
    permissions: [
      allow(['ec2:InjectApiError'], ['*'], {
        StringEquals: { 'ec2:FisActionId': actionId },
        'ForAllValues:ArnLike': { 'ec2:FisTargetArns': [arns.webGroup] },
      }),
      allow(['autoscaling:DescribeAutoScalingGroups'], ['*']),
    ],
  };
}

/**
 * aws:network:disrupt-connectivity — resource type aws:ec2:subnet; parameters scope (`all`:
 * "Denies all traffic entering and leaving the subnet") and duration; FIS clones the subnet's
 * network ACL, tags the clone managedByFIS=true, adds deny entries and swaps the association
 * back at the end. Permissions: ec2:CreateNetworkAcl (the clone, tagged managedByFIS=true),
 * ec2:CreateNetworkAclEntry and ec2:DeleteNetworkAcl (on that tagged ACL), ec2:CreateTags,
 * ec2:DescribeManagedPrefixLists, ec2:DescribeNetworkAcls, ec2:DescribeSubnets,
 * ec2:DescribeVpcs, ec2:GetManagedPrefixListEntries, ec2:ReplaceNetworkAclAssociation.
 */
export function disruptSubnets(arns: ShopTargetArns, az: string, duration: IsoDuration): Fault {
  const fisAcl = { StringEquals: { 'aws:ResourceTag/managedByFIS': 'true' } };
  return {
    name: 'Disrupt-Subnets',
    actionId: 'aws:network:disrupt-connectivity',
    description: `Cut every shop subnet in ${az} (public, app, data) off the network for ${inMinutes(duration)}`,
    targetKey: 'Subnets',
    target: {
      resourceType: 'aws:ec2:subnet',
      resourceTags: { [CLOUDFORMATION_STACK_TAG]: arns.names.shopStackName },
      // DescribeSubnets output member, as AWS's AZ power interruption scenario filters subnets.
      filters: [{ path: 'AvailabilityZone', values: [az] }],
      selectionMode: 'ALL',
    },
    parameters: { duration, scope: 'all' },
    permissions: [
      // CreateNetworkAcl authorizes the new ACL (tagged at creation) and the VPC it goes into.
      allow(['ec2:CreateNetworkAcl'], [arns.ec2('network-acl')], {
        StringEquals: { 'aws:RequestTag/managedByFIS': 'true' },
      }),
      allow(['ec2:CreateNetworkAcl'], [arns.ec2('vpc')], {
        StringEquals: { 'aws:ResourceTag/Name': arns.names.vpcName },
      }),
      allow(['ec2:CreateTags'], [arns.ec2('network-acl')], {
        StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' },
      }),
      allow(
        ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
        [arns.ec2('network-acl')],
        fisAcl,
      ),
      // The swap moves a subnet between the VPC's own ACL (untagged) and FIS's clone and back,
      // so it cannot be narrowed by tag: any ACL of this account and region.
      allow(['ec2:ReplaceNetworkAclAssociation'], [arns.ec2('network-acl'), arns.ec2('subnet')]),
      allow(
        [
          'ec2:DescribeManagedPrefixLists',
          'ec2:DescribeNetworkAcls',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:GetManagedPrefixListEntries',
        ],
        ['*'],
      ),
    ],
  };
}

/**
 * aws:rds:reboot-db-instances — resource type aws:rds:db; parameter forceFailover ("If the value
 * is true, and if instances are Multi-AZ, forces failover from one Availability Zone to
 * another"); permissions rds:RebootDBInstance, rds:DescribeDBInstances, tag:GetResources.
 * (aws:rds:failover-db-cluster is for Aurora and Multi-AZ DB clusters, resource type
 * aws:rds:cluster: not the shop's Multi-AZ DB instance.) With `az`, the target takes the
 * aws:rds:db target parameter availabilityZoneIdentifiers: only a primary in that AZ fails over.
 */
export function failOverDatabase(arns: ShopTargetArns, az?: string): Fault {
  return {
    name: 'Fail-Over-Database',
    actionId: 'aws:rds:reboot-db-instances',
    description:
      az === undefined
        ? `Reboot ${arns.names.databaseId} through a Multi-AZ failover`
        : `Reboot ${arns.names.databaseId} through a Multi-AZ failover if its primary is in ${az}`,
    targetKey: 'DBInstances',
    // FIS takes either ARNs or tags and parameters, never ARNs with parameters.
    target:
      az === undefined
        ? { resourceType: 'aws:rds:db', resourceArns: [arns.database], selectionMode: 'ALL' }
        : {
            resourceType: 'aws:rds:db',
            resourceTags: { Name: arns.names.databaseId },
            parameters: { availabilityZoneIdentifiers: az },
            selectionMode: 'ALL',
          },
    parameters: { forceFailover: 'true' },
    permissions: [
      allow(['rds:RebootDBInstance', 'rds:DescribeDBInstances'], [arns.database]),
      // The Resource Groups Tagging API has no resource-level permissions.
      allow(['tag:GetResources'], ['*']),
    ],
  };
}

/**
 * aws:elasticache:replicationgroup-interrupt-az-power (renamed from
 * aws:elasticache:interrupt-cluster-az-power) — resource type aws:elasticache:replicationgroup,
 * whose target parameter availabilityZoneIdentifier is required; parameter duration (PT1M–
 * PT12H). A primary in the AZ fails over to the replica with the least lag; replacements in the
 * AZ are blocked meanwhile. Permissions elasticache:InterruptClusterAzPower,
 * elasticache:DescribeReplicationGroups, tag:GetResources.
 */
export function interruptCachePower(
  arns: ShopTargetArns,
  az: string,
  duration: IsoDuration,
): Fault {
  return {
    name: 'Interrupt-Cache-Power',
    actionId: 'aws:elasticache:replicationgroup-interrupt-az-power',
    description: `Cut the power of ${arns.names.cacheGroupId}'s nodes in ${az} for ${inMinutes(duration)}`,
    targetKey: 'ReplicationGroups',
    target: {
      resourceType: 'aws:elasticache:replicationgroup',
      resourceTags: { Name: arns.names.cacheGroupId },
      parameters: { availabilityZoneIdentifier: az },
      selectionMode: 'ALL',
    },
    parameters: { duration },
    permissions: [
      allow(
        ['elasticache:InterruptClusterAzPower', 'elasticache:DescribeReplicationGroups'],
        [arns.cacheGroup, arns.cacheNodes],
      ),
      allow(['tag:GetResources'], ['*']),
    ],
  };
}

/**
 * aws:ec2:terminate-instances — resource type aws:ec2:instance, no parameters; permissions
 * ec2:TerminateInstances, ec2:DescribeInstances. One running web instance, chosen by FIS.
 */
export function terminateOneWebInstance(arns: ShopTargetArns): Fault {
  return {
    name: 'Terminate-Web-Instance',
    actionId: 'aws:ec2:terminate-instances',
    description: 'Terminate one running web instance',
    targetKey: 'Instances',
    target: webInstances(arns, 'COUNT(1)'),
    permissions: [
      allow(['ec2:TerminateInstances'], [arns.ec2('instance')], webGroupInstances(arns)),
      allow(['ec2:DescribeInstances'], ['*']),
    ],
  };
}

export interface MemoryStress {
  /** Percent of the instance's memory stress-ng takes. */
  readonly percent: number;
  readonly seconds: number;
}

/**
 * aws:ssm:send-command — resource type aws:ec2:instance; parameters documentArn,
 * documentParameters (a JSON object of strings), duration; permissions ssm:SendCommand,
 * ssm:ListCommands, ssm:CancelCommand. The document is AWS's pre-configured
 * AWSFIS-Run-Memory-Stress, ARN `arn:aws:ssm:region::document/AWSFIS-Run-Memory-Stress` (User
 * Guide, "Use Systems Manager SSM documents with AWS FIS"): DurationSeconds and Percent
 * required, Workers and InstallDependencies (stress-ng, default True) optional. The web
 * instances run the SSM agent (AmazonSSMManagedInstanceCore, web-tier.ts).
 */
export function stressOneWebInstanceMemory(arns: ShopTargetArns, stress: MemoryStress): Fault {
  const documentArn = arns.awsDocument('AWSFIS-Run-Memory-Stress');
  // The command may run a minute longer than the stress (installing stress-ng first).
  const minutes = Math.ceil(stress.seconds / 60) + 5;
  return {
    name: 'Stress-Web-Instance-Memory',
    actionId: 'aws:ssm:send-command',
    description: `Fill ${stress.percent}% of one web instance's memory for ${stress.seconds} s (a leak its health check does not see)`,
    targetKey: 'Instances',
    target: webInstances(arns, 'COUNT(1)'),
    parameters: {
      documentArn,
      documentParameters: JSON.stringify({
        DurationSeconds: String(stress.seconds),
        Percent: String(stress.percent),
        InstallDependencies: 'True',
      }),
      duration: `PT${minutes}M`,
    },
    permissions: [
      // SendCommand is authorized against the document and each instance: two statements, so the
      // instance tag condition does not apply to the document.
      allow(['ssm:SendCommand'], [documentArn]),
      allow(['ssm:SendCommand'], [arns.ec2('instance')], {
        StringEquals: { [`aws:ResourceTag/${AUTO_SCALING_GROUP_TAG}`]: arns.names.webGroupName },
      }),
      // Neither has resource-level permissions (Service Authorization Reference, Systems Manager).
      allow(['ssm:ListCommands', 'ssm:CancelCommand'], ['*']),
    ],
  };
}
