import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import {
  AZ_POWER_DURATION,
  type GameDayStack,
  MEMORY_STRESS,
} from '../../infra/stacks/gameday-stack.js';
import { resourcesOf } from './synth-shop.js';

// The real-cloud game days (README "Real-cloud game days"): the rebound-<stage>-gameday stack of
// AWS FIS experiment templates, synthesized as the CLI does with gameDays=true (cdk-nag included).

const CONTEXT = { gameDays: 'true', 'aws:cdk:bundling-stacks': [] } as const;
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

interface FisTargetJson {
  ResourceType: string;
  ResourceArns?: unknown[];
  ResourceTags?: Record<string, string>;
  Filters?: { Path: string; Values: string[] }[];
  Parameters?: Record<string, string>;
  SelectionMode: string;
}
interface FisTemplateJson {
  Description: string;
  RoleArn: { 'Fn::GetAtt': [string, string] };
  Actions: Record<
    string,
    { ActionId: string; Parameters?: Record<string, string>; Targets: Record<string, string> }
  >;
  Targets: Record<string, FisTargetJson>;
  StopConditions: { Source: string; Value: unknown }[];
  LogConfiguration: {
    CloudWatchLogsConfiguration: { LogGroupArn: unknown };
    LogSchemaVersion: number;
  };
  ExperimentOptions: { AccountTargeting: string; EmptyTargetResolutionMode: string };
  Tags: { Name: string };
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

let template: Template;
let shopTemplate: Template;
let gameDayStack: GameDayStack;
let templates: Record<string, FisTemplateJson>;

/** `{Fn::Join}` of an ARN as text, with `<AWS::Partition>`-style pseudo parameters. */
const text = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return JSON.stringify(value);
  return join[1]
    .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
    .join(join[0]);
};
const arn = (service: string, rest: string) =>
  `arn:<AWS::Partition>:${service}:us-east-1:<AWS::AccountId>:${rest}`;

/** The statements of the role of the experiment named `name`, resources as text. */
function roleStatements(name: string): Statement[] {
  const roleId = templates[name]?.RoleArn['Fn::GetAtt'][0] ?? '';
  const role = template.toJSON().Resources[roleId] as {
    Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
  };
  return role.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement).map(
    (statement) => ({
      ...statement,
      Resource: [statement.Resource].flat().map(text),
    }),
  );
}
const actionsOf = (statements: Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat()).sort();

beforeAll(() => {
  const { gameDay, shop, config } = buildReboundApp({ context: CONTEXT });
  if (gameDay === undefined) throw new Error('no game-day stack with gameDays=true');
  expect(config.availabilityZones).toEqual(AZS);
  gameDayStack = gameDay;
  template = Template.fromStack(gameDay);
  shopTemplate = Template.fromStack(shop);
  templates = Object.fromEntries(
    resourcesOf<FisTemplateJson>(template, 'AWS::FIS::ExperimentTemplate').map(({ props }) => [
      props.Tags.Name.replace('rebound-dev-', ''),
      props,
    ]),
  );
});

describe('game-day stack', () => {
  it('has one template per experiment: AZ power and cache power per AZ, termination, memory, RDS failover', () => {
    // Assess
    expect(Object.keys(templates).sort()).toEqual(
      [
        ...AZS.map((az) => `az-power-${az}`),
        ...AZS.map((az) => `cache-power-${az}`),
        'instance-termination',
        'memory-stress',
        'rds-failover',
      ].sort(),
    );
  });

  it("interrupts an AZ's power with the FIS scenario's actions for the shop's resource types", () => {
    // Prepare
    const az = 'us-east-1b';
    const experiment = templates[`az-power-${az}`];

    // Assess
    expect(experiment?.ExperimentOptions).toEqual({
      AccountTargeting: 'single-account',
      EmptyTargetResolutionMode: 'skip',
    });
    const actions = experiment?.Actions ?? {};
    expect(
      Object.fromEntries(Object.entries(actions).map(([name, a]) => [name, a.ActionId])),
    ).toEqual({
      'Stop-Web-Instances': 'aws:ec2:stop-instances',
      'Pause-Web-Launches': 'aws:ec2:asg-insufficient-instance-capacity-error',
      'Disrupt-Subnets': 'aws:network:disrupt-connectivity',
      'Fail-Over-Database': 'aws:rds:reboot-db-instances',
      'Interrupt-Cache-Power': 'aws:elasticache:replicationgroup-interrupt-az-power',
    });
    expect(actions['Stop-Web-Instances']?.Parameters).toEqual({
      startInstancesAfterDuration: AZ_POWER_DURATION,
      completeIfInstancesTerminated: 'true',
    });
    expect(actions['Pause-Web-Launches']?.Parameters).toEqual({
      availabilityZoneIdentifiers: az,
      duration: AZ_POWER_DURATION,
      percentage: '100',
    });
    expect(actions['Disrupt-Subnets']?.Parameters).toEqual({
      duration: AZ_POWER_DURATION,
      scope: 'all',
    });
    expect(actions['Fail-Over-Database']?.Parameters).toEqual({ forceFailover: 'true' });
    expect(actions['Interrupt-Cache-Power']?.Parameters).toEqual({ duration: AZ_POWER_DURATION });
    // Each action acts on its own target, under the key FIS defines for the action.
    expect(
      Object.fromEntries(Object.entries(actions).map(([name, a]) => [name, a.Targets])),
    ).toEqual({
      'Stop-Web-Instances': { Instances: 'Stop-Web-Instances' },
      'Pause-Web-Launches': { AutoScalingGroups: 'Pause-Web-Launches' },
      'Disrupt-Subnets': { Subnets: 'Disrupt-Subnets' },
      'Fail-Over-Database': { DBInstances: 'Fail-Over-Database' },
      'Interrupt-Cache-Power': { ReplicationGroups: 'Interrupt-Cache-Power' },
    });
  });

  it("finds the AZ's shop resources by the shop's own names and tags, never by an import", () => {
    // Prepare
    const az = 'us-east-1c';
    const targets = templates[`az-power-${az}`]?.Targets ?? {};

    // Assess
    expect(targets['Stop-Web-Instances']).toEqual({
      ResourceType: 'aws:ec2:instance',
      ResourceTags: { 'aws:autoscaling:groupName': 'rebound-dev-web' },
      Filters: [
        { Path: 'State.Name', Values: ['running'] },
        { Path: 'Placement.AvailabilityZone', Values: [az] },
      ],
      SelectionMode: 'ALL',
    });
    expect(targets['Pause-Web-Launches']).toEqual({
      ResourceType: 'aws:ec2:autoscaling-group',
      ResourceTags: { 'aws:cloudformation:stack-name': 'rebound-dev-shop' },
      Filters: [{ Path: 'AutoScalingGroupName', Values: ['rebound-dev-web'] }],
      SelectionMode: 'ALL',
    });
    expect(targets['Disrupt-Subnets']).toEqual({
      ResourceType: 'aws:ec2:subnet',
      ResourceTags: { 'aws:cloudformation:stack-name': 'rebound-dev-shop' },
      Filters: [{ Path: 'AvailabilityZone', Values: [az] }],
      SelectionMode: 'ALL',
    });
    // FIS rejects ARNs together with target parameters: tag plus the AZ parameter.
    expect(targets['Fail-Over-Database']).toEqual({
      ResourceType: 'aws:rds:db',
      ResourceTags: { Name: 'rebound-dev-db' },
      Parameters: { availabilityZoneIdentifiers: az },
      SelectionMode: 'ALL',
    });
    expect(targets['Interrupt-Cache-Power']).toEqual({
      ResourceType: 'aws:elasticache:replicationgroup',
      ResourceTags: { Name: 'rebound-dev-cache' },
      Parameters: { availabilityZoneIdentifier: az },
      SelectionMode: 'ALL',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('tags the shop primary and cache group with the exact names the experiments look for', () => {
    // Assess
    const [primary] = resourcesOf<{ Tags: { Key: string; Value: string }[] }>(
      shopTemplate,
      'AWS::RDS::DBInstance',
      { DBInstanceIdentifier: 'rebound-dev-db' },
    );
    expect(primary?.props.Tags).toContainEqual({ Key: 'Name', Value: 'rebound-dev-db' });
    const [group] = resourcesOf<{ Tags: { Key: string; Value: string }[] }>(
      shopTemplate,
      'AWS::ElastiCache::ReplicationGroup',
    );
    expect(group?.props.Tags).toEqual([{ Key: 'Name', Value: 'rebound-dev-cache' }]);
    // Only the primary: a replica must never be what an experiment fails over.
    const replicas = resourcesOf<{
      Tags?: { Key: string }[];
      SourceDBInstanceIdentifier?: unknown;
    }>(shopTemplate, 'AWS::RDS::DBInstance').filter(
      ({ props }) => props.SourceDBInstanceIdentifier !== undefined,
    );
    expect(replicas.length).toBeGreaterThan(0);
    for (const { props } of replicas)
      expect(props.Tags ?? []).not.toContainEqual(expect.objectContaining({ Key: 'Name' }));
  });

  it('terminates exactly one running web instance', () => {
    // Assess
    const experiment = templates['instance-termination'];
    expect(experiment?.Actions).toEqual({
      'Terminate-Web-Instance': {
        ActionId: 'aws:ec2:terminate-instances',
        Description: 'Terminate one running web instance',
        Targets: { Instances: 'Terminate-Web-Instance' },
      },
    });
    expect(experiment?.Targets['Terminate-Web-Instance']).toEqual({
      ResourceType: 'aws:ec2:instance',
      ResourceTags: { 'aws:autoscaling:groupName': 'rebound-dev-web' },
      Filters: [{ Path: 'State.Name', Values: ['running'] }],
      SelectionMode: 'COUNT(1)',
    });
    expect(experiment?.ExperimentOptions.EmptyTargetResolutionMode).toBe('fail');
  });

  it("stresses one web instance's memory with AWS's AWSFIS-Run-Memory-Stress document", () => {
    // Assess
    const experiment = templates['memory-stress'];
    const action = experiment?.Actions['Stress-Web-Instance-Memory'];
    expect(action?.ActionId).toBe('aws:ssm:send-command');
    expect(text(action?.Parameters?.documentArn)).toBe(
      'arn:<AWS::Partition>:ssm:us-east-1::document/AWSFIS-Run-Memory-Stress',
    );
    expect(JSON.parse(action?.Parameters?.documentParameters ?? '{}')).toEqual({
      DurationSeconds: String(MEMORY_STRESS.seconds),
      Percent: String(MEMORY_STRESS.percent),
      InstallDependencies: 'True',
    });
    expect(action?.Parameters?.duration).toBe('PT20M');
    expect(experiment?.Targets['Stress-Web-Instance-Memory']?.SelectionMode).toBe('COUNT(1)');
  });

  it('fails the primary database over by a forced-failover reboot of its ARN', () => {
    // Assess
    const experiment = templates['rds-failover'];
    expect(experiment?.Actions['Fail-Over-Database']?.ActionId).toBe('aws:rds:reboot-db-instances');
    expect(experiment?.Actions['Fail-Over-Database']?.Parameters).toEqual({
      forceFailover: 'true',
    });
    const target = experiment?.Targets['Fail-Over-Database'];
    expect(target?.ResourceType).toBe('aws:rds:db');
    expect(target?.ResourceArns?.map(text)).toEqual([arn('rds', 'db:rebound-dev-db')]);
  });

  it("interrupts the cache's power in one AZ", () => {
    // Assess
    const experiment = templates['cache-power-us-east-1a'];
    expect(Object.values(experiment?.Actions ?? {}).map((a) => a.ActionId)).toEqual([
      'aws:elasticache:replicationgroup-interrupt-az-power',
    ]);
    expect(experiment?.Targets['Interrupt-Cache-Power']?.Parameters).toEqual({
      availabilityZoneIdentifier: 'us-east-1a',
    });
  });

  it("stops every experiment on the shop's customer-facing critical alarms, not on the capacity alarm it sets off", () => {
    // Assess: dev in us-east-1 has CloudFront's alarm too.
    for (const [name, experiment] of Object.entries(templates)) {
      expect(
        experiment.StopConditions.map(({ Source }) => Source),
        name,
      ).toEqual(Array(5).fill('aws:cloudwatch:alarm'));
      expect(
        experiment.StopConditions.map(({ Value }) => text(Value)),
        name,
      ).toEqual([
        arn('cloudwatch', 'alarm:rebound-dev-alb-elb-5xx'),
        arn('cloudwatch', 'alarm:rebound-dev-alb-target-5xx-rate'),
        arn('cloudwatch', 'alarm:rebound-dev-shop-checkout-errors'),
        arn('cloudwatch', 'alarm:rebound-dev-db-free-storage-low'),
        arn('cloudwatch', 'alarm:rebound-dev-cloudfront-5xx-rate'),
      ]);
    }
  });

  it('logs every experiment to an encrypted log group kept a year', () => {
    // Assess
    const group = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(group).map((g) => g.Properties)).toEqual([
      {
        LogGroupName: '/aws/vendedlogs/fis/rebound-dev-gameday',
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] },
        RetentionInDays: 365,
      },
    ]);
    for (const experiment of Object.values(templates)) {
      expect(text(experiment.LogConfiguration.CloudWatchLogsConfiguration.LogGroupArn)).toBe(
        arn('logs', 'log-group:/aws/vendedlogs/fis/rebound-dev-gameday'),
      );
      expect(experiment.LogConfiguration.LogSchemaVersion).toBe(2);
    }
  });

  it("scopes the instance-termination role to the web group's instances", () => {
    // Assess
    expect(roleStatements('instance-termination')).toEqual([
      {
        Effect: 'Allow',
        Action: 'ec2:TerminateInstances',
        Resource: [arn('ec2', 'instance/*')],
        Condition: {
          StringEquals: { 'ec2:ResourceTag/aws:autoscaling:groupName': 'rebound-dev-web' },
        },
      },
      { Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        Resource: ['*'],
      },
    ]);
  });

  it('scopes the RDS and cache roles to the primary and the replication group', () => {
    // Assess
    const rds = roleStatements('rds-failover');
    expect(rds[0]).toEqual({
      Effect: 'Allow',
      Action: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'],
      Resource: [arn('rds', 'db:rebound-dev-db')],
    });
    expect(actionsOf(rds)).not.toContain('rds:FailoverDBCluster');
    const cache = roleStatements('cache-power-us-east-1b');
    expect(cache[0]).toEqual({
      Effect: 'Allow',
      Action: ['elasticache:InterruptClusterAzPower', 'elasticache:DescribeReplicationGroups'],
      Resource: [
        arn('elasticache', 'replicationgroup:rebound-dev-cache'),
        arn('elasticache', 'cluster:rebound-dev-cache-*'),
      ],
    });
  });

  it('lets the memory-stress role run only the AWS document, only on web instances', () => {
    // Assess
    const statements = roleStatements('memory-stress');
    expect(statements.slice(0, 2)).toEqual([
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: ['arn:<AWS::Partition>:ssm:us-east-1::document/AWSFIS-Run-Memory-Stress'],
      },
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: [arn('ec2', 'instance/*')],
        Condition: {
          StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': 'rebound-dev-web' },
        },
      },
    ]);
  });

  it('holds the AZ role to its actions, the web group and FIS-tagged network ACLs', () => {
    // Assess
    const statements = roleStatements('az-power-us-east-1a');
    expect([...new Set(actionsOf(statements))]).toEqual(
      [
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:CreateNetworkAcl',
        'ec2:CreateNetworkAclEntry',
        'ec2:CreateTags',
        'ec2:DeleteNetworkAcl',
        'ec2:DescribeInstances',
        'ec2:DescribeManagedPrefixLists',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:GetManagedPrefixListEntries',
        'ec2:InjectApiError',
        'ec2:ReplaceNetworkAclAssociation',
        'ec2:StartInstances',
        'ec2:StopInstances',
        'elasticache:DescribeReplicationGroups',
        'elasticache:InterruptClusterAzPower',
        'kms:CreateGrant',
        'logs:CreateLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:PutResourcePolicy',
        'rds:DescribeDBInstances',
        'rds:RebootDBInstance',
        'tag:GetResources',
      ].sort(),
    );
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'ec2:InjectApiError',
      Resource: ['*'],
      Condition: {
        StringEquals: { 'ec2:FisActionId': 'aws:ec2:asg-insufficient-instance-capacity-error' },
        'ForAllValues:ArnLike': {
          'ec2:FisTargetArns': [expect.objectContaining({ 'Fn::Join': expect.anything() })],
        },
      },
    });
    const inject = statements.find((statement) => statement.Action === 'ec2:InjectApiError');
    const [groupArn] = (inject?.Condition?.['ForAllValues:ArnLike']?.['ec2:FisTargetArns'] ??
      []) as unknown[];
    expect(text(groupArn)).toBe(
      arn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/rebound-dev-web'),
    );
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
      Resource: [arn('ec2', 'network-acl/*')],
      Condition: { StringEquals: { 'aws:ResourceTag/managedByFIS': 'true' } },
    });
  });

  it('lets only FIS, for experiments of this account, assume the roles', () => {
    // Assess
    for (const { props } of resourcesOf<{ AssumeRolePolicyDocument: { Statement: unknown[] } }>(
      template,
      'AWS::IAM::Role',
    )) {
      expect(props.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'fis.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.anything() },
          },
        },
      ]);
    }
  });

  it('deploys after the shop, whose alarms its stop conditions name', () => {
    // Assess
    expect(gameDayStack.dependencies.map(({ stackName }) => stackName)).toEqual([
      'rebound-dev-shop',
    ]);
  });

  it('outputs each template id for aws fis start-experiment', () => {
    // Assess
    const outputs = template.toJSON().Outputs as Record<string, { Value: { Ref: string } }>;
    expect(outputs.AzPowerUsEast1aTemplateId?.Value.Ref).toMatch(/^azpoweruseast1aTemplate/);
    expect(outputs.RdsFailoverTemplateId?.Value.Ref).toMatch(/^rdsfailoverTemplate/);
    expect(Object.keys(outputs)).toHaveLength(9);
  });
});

describe('gameDays setting', () => {
  it('leaves the game-day stack out by default', () => {
    // Act
    const { app, gameDay } = buildReboundApp({ context: { 'aws:cdk:bundling-stacks': [] } });

    // Assess
    expect(gameDay).toBeUndefined();
    expect(app.node.children.map((child) => child.node.id)).not.toContain('rebound-dev-gameday');
  });

  it('rejects a value other than true or false with one clear line', () => {
    // Act
    const build = () => buildReboundApp({ context: { gameDays: 'yes' } });

    // Assess
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'config "gameDays": got "yes", expected one of false | true (set it in cdk.json or with -c gameDays=...)',
    );
  });
});
