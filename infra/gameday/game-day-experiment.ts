import { Stack } from 'aws-cdk-lib';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFinding, nagResourceName } from '../nag.js';
import type { Fault } from './faults.js';

export interface GameDayExperimentProps {
  readonly namePrefix: string;
  /** Short kebab-case name (`instance-termination`, `az-power-us-east-1a`): the role name holds it. */
  readonly name: string;
  readonly description: string;
  /** Run at the same time (no `startAfter`), like AWS's AZ power interruption scenario. */
  readonly faults: readonly Fault[];
  /** ARNs of the alarms that stop the experiment when one goes into ALARM. */
  readonly stopAlarmArns: readonly string[];
  /** The experiment log group's ARN (without `:*`). */
  readonly logGroupArn: string;
  /**
   * `skip`: an action whose target resolves to nothing is skipped (the AZ scenario: the database
   * primary may not be in that AZ); `fail`: the experiment fails instead of proving nothing.
   */
  readonly emptyTargets: 'skip' | 'fail';
}

/**
 * One AWS FIS experiment template with a role of its own that may do exactly what its actions
 * need to the shop's resources, and nothing else.
 */
export class GameDayExperiment extends Construct {
  public readonly template: fis.CfnExperimentTemplate;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GameDayExperimentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const statements = [...props.faults.flatMap((fault) => fault.permissions), logDelivery()];
    this.role = new iam.Role(this, 'Role', {
      roleName: `${props.namePrefix}-gameday-${props.name}`,
      description: `AWS FIS experiment role of the ${props.name} game day`,
      // Confused-deputy guard (FIS User Guide, "Cross-service confused deputy prevention").
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'fis',
              resource: 'experiment',
              resourceName: '*',
            }),
          },
        },
      }),
      inlinePolicies: { Faults: new iam.PolicyDocument({ statements }) },
    });
    acknowledgeWildcards(this.role, statements);

    const targets = Object.fromEntries(
      props.faults.map(({ name, target }) => [
        name,
        {
          resourceType: target.resourceType,
          resourceArns: target.resourceArns ? [...target.resourceArns] : undefined,
          resourceTags: target.resourceTags,
          filters: target.filters?.map(({ path, values }) => ({ path, values: [...values] })),
          parameters: target.parameters,
          selectionMode: target.selectionMode,
        },
      ]),
    );
    const actions = Object.fromEntries(
      props.faults.map(({ name, actionId, description, targetKey, parameters }) => [
        name,
        { actionId, description, parameters, targets: { [targetKey]: name } },
      ]),
    );
    this.template = new fis.CfnExperimentTemplate(this, 'Template', {
      description: props.description,
      roleArn: this.role.roleArn,
      targets,
      actions,
      stopConditions: props.stopAlarmArns.map((value) => ({
        source: 'aws:cloudwatch:alarm',
        value,
      })),
      logConfiguration: {
        cloudWatchLogsConfiguration: { LogGroupArn: props.logGroupArn },
        logSchemaVersion: 2,
      },
      experimentOptions: {
        accountTargeting: 'single-account',
        emptyTargetResolutionMode: props.emptyTargets,
      },
      tags: { Name: `${props.namePrefix}-${props.name}` },
    });
  }
}

/**
 * FIS delivers the experiment log to CloudWatch Logs as a vended log, on the experiment role's
 * permissions (CloudWatch Logs User Guide, "Enabling logging from AWS services": logs sent to
 * CloudWatch Logs need logs:CreateLogDelivery, logs:PutResourcePolicy,
 * logs:DescribeResourcePolicies and logs:DescribeLogGroups). None of them takes a log-group ARN.
 */
function logDelivery(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'logs:CreateLogDelivery',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resources: ['*'],
  });
}

/**
 * Why each wildcard resource the actions need is acceptable, by the resource it matches; the
 * role acknowledges exactly those it has.
 */
const WILDCARD_REASONS: readonly (readonly [RegExp, string])[] = [
  [
    /^\*$/,
    'Only Describe/List calls, tag:GetResources, log delivery set-up and ec2:InjectApiError (held to one FIS action and the web group by ec2:FisActionId/ec2:FisTargetArns): none of these has resource-level permissions.',
  ],
  [
    /:instance\/\*$/,
    "Web instances are replaced all the time, so they are held by Auto Scaling's own aws:autoscaling:groupName tag (the shop's web group) instead of by id.",
  ],
  [
    /:network-acl\/\*$/,
    "FIS's cloned network ACL gets its id during the experiment: creation needs managedByFIS=true, entries and deletion only on ACLs so tagged; the association swap also touches the VPC's untagged own ACL.",
  ],
  [
    /:vpc\/\*$/,
    "Creating FIS's network ACL is authorized on the VPC too; held to the shop's VPC by its Name tag.",
  ],
  [
    /:subnet\/\*$/,
    "ReplaceNetworkAclAssociation is authorized on the subnet; the subnets FIS picks are the shop stack's own in one AZ (target tags and AZ filter).",
  ],
  [
    /:key\/\*$/,
    'Restarting the stopped web instances makes EC2 create grants on their volume key; only grants EC2 makes for itself (kms:ViaService, kms:GrantIsForAWSResource).',
  ],
  [
    /:cluster:[a-z0-9-]+-\*$/,
    "The cache's member nodes (<group>-001, -002, …): the AZ power action acts on the nodes of the one replication group it is given.",
  ],
];

function acknowledgeWildcards(role: iam.Role, statements: readonly iam.PolicyStatement[]): void {
  const stack = Stack.of(role);
  const names = new Set(
    statements.flatMap(({ resources }) => resources.map((r) => nagResourceName(stack, r))),
  );
  for (const name of names) {
    const reason = WILDCARD_REASONS.find(([pattern]) => pattern.test(name))?.[1];
    if (reason !== undefined)
      acknowledgeFinding(role, `AwsSolutions-IAM5[Resource::${name}]`, reason);
  }
}
