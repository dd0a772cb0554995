import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import { TRIAGE_ENVIRONMENT } from '../../functions/lib/environments.js';
import { ConfigError } from '../../infra/config.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import {
  resolveDeployed,
  type SynthesizedControlPlane,
  synthControlPlane,
  TEST_ACCOUNT,
} from './synth-control-plane.js';
import { getAtt, onlyResource, ref, referencedIds, resourcesOf } from './synth-shop.js';

const RULE_NAMES = [
  'alarm-state-changes',
  'auto-scaling-events',
  'rds-instance-events',
  'health-events',
  'ec2-instance-events',
  'arc-autoshift-events',
  'runbook-failures',
].map((id) => `rebound-dev-${id}`);
const DB_IDS = ['rebound-dev-db', 'rebound-dev-db-replica-1', 'rebound-dev-db-replica-2'];
const ALERTS_TOPIC_ARN = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:rebound-dev-alerts`;
/** Every runbook of the registry, by name, as the deployed state machine ARN. */
const RUNBOOK_ARNS = Object.fromEntries(
  RUNBOOKS.map(({ name }) => [
    name,
    `arn:aws:states:us-east-1:${TEST_ACCOUNT}:stateMachine:rebound-dev-${name}`,
  ]),
);

interface RuleProps {
  readonly Name: string;
  readonly EventPattern: Record<string, unknown>;
  readonly Targets: {
    readonly Arn: unknown;
    readonly RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
    readonly DeadLetterConfig?: { Arn: unknown };
  }[];
}
interface FunctionProps {
  readonly Runtime: string;
  readonly Architectures: string[];
  readonly TracingConfig?: { Mode: string };
  readonly Role: unknown;
  readonly Environment: { Variables: Record<string, unknown> };
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}
interface TableProps {
  readonly KeySchema: { AttributeName: string; KeyType: string }[];
  readonly TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
  readonly SSESpecification: { SSEEnabled: boolean };
  readonly Replicas: {
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: boolean };
  }[];
}

const triageOf = ({ template }: SynthesizedControlPlane) =>
  onlyResource<FunctionProps>(template, 'AWS::Lambda::Function', {
    FunctionName: 'rebound-dev-triage',
  });
const triageQueueOf = ({ template }: SynthesizedControlPlane) =>
  onlyResource<{ KmsMasterKeyId: unknown }>(template, 'AWS::SQS::Queue', {
    QueueName: 'rebound-dev-triage-dlq',
  });
const rulesOf = ({ template }: SynthesizedControlPlane) =>
  resourcesOf<RuleProps>(template, 'AWS::Events::Rule');
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
const asList = (resource: unknown) => (Array.isArray(resource) ? resource : [resource]);

/** Every statement of the inline policies attached to the triage function's role. */
const triageStatements = (synthesized: SynthesizedControlPlane): Statement[] => {
  const roleId = referencedIds(triageOf(synthesized).props.Role)[0];
  return resourcesOf<{ Roles: unknown[]; PolicyDocument: { Statement: Statement[] } }>(
    synthesized.template,
    'AWS::IAM::Policy',
  )
    .filter(({ props }) => props.Roles.some((role) => referencedIds(role).includes(roleId ?? '')))
    .flatMap(({ props }) => props.PolicyDocument.Statement);
};

describe('control-plane stack', () => {
  let dev: SynthesizedControlPlane;
  beforeAll(() => {
    dev = synthControlPlane();
  });

  it('is its own stack that only imports what it reads from the shop', () => {
    // Prepare
    const shop = dev.shopTemplate.toJSON() as { Outputs: Record<string, { Export?: unknown }> };
    const exported = Object.values(shop.Outputs).flatMap(({ Export }) =>
      Export === undefined ? [] : [(Export as { Name: string }).Name],
    );

    // Act
    const imported = JSON.stringify(dev.template.toJSON()).match(/"Fn::ImportValue":"[^"]+"/g);

    // Assess
    expect(dev.stackName).toBe('rebound-dev-control-plane');
    expect(imported?.length ?? 0).toBeGreaterThan(0);
    for (const name of new Set(imported)) {
      expect(exported).toContain(name.replace(/^"Fn::ImportValue":"|"$/g, ''));
    }
    // Nothing in the shop depends on the control plane.
    expect(JSON.stringify(dev.shopTemplate.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('keeps the control-plane resources out of the shop', () => {
    // Act
    const inShop = (type: string) => resourcesOf(dev.shopTemplate, type).map(({ id }) => id);

    // Assess
    expect(inShop('AWS::Events::Rule')).toEqual([]);
    expect(inShop('AWS::Events::Archive')).toEqual([]);
    expect(inShop('AWS::DynamoDB::GlobalTable')).toEqual([]);
    expect(
      resourcesOf<{ Name: unknown }>(dev.shopTemplate, 'AWS::SSM::Parameter').filter(({ props }) =>
        String(props.Name).startsWith('/rebound/dev/guardrails/'),
      ),
    ).toEqual([]);
    expect(inShop('AWS::StepFunctions::StateMachine')).toEqual([]);
    expect(
      rulesOf(dev)
        .map(({ props }) => props.Name)
        .sort(),
    ).toEqual([...RULE_NAMES, 'rebound-dev-heartbeat'].sort());
  });

  it('has no Lambda in the shop that publishes alarm messages any more', () => {
    // Prepare
    const statements = resourcesOf<{ PolicyDocument: { Statement: Statement[] } }>(
      dev.shopTemplate,
      'AWS::IAM::Policy',
    ).flatMap(({ props }) => props.PolicyDocument.Statement);

    // Act
    const functions = resourcesOf<{ Handler?: string }>(dev.shopTemplate, 'AWS::Lambda::Function');
    const publishers = statements.filter((statement) =>
      actionsOf(statement).some((action) => action === 'sns:Publish' || action === 'sns:*'),
    );

    // Assess: only CDK's custom-resource providers remain
    expect(functions.map(({ id }) => id).filter((id) => !id.startsWith('Custom'))).toEqual([]);
    expect(publishers).toEqual([]);
  });
});

describe('control-plane intake', () => {
  let dev: SynthesizedControlPlane;
  beforeAll(() => {
    dev = synthControlPlane();
  });

  it('sends every rule to triage, retrying for a day, dead-lettering to the encrypted DLQ', () => {
    // Prepare
    const triage = triageOf(dev);
    const queue = triageQueueOf(dev);
    const keyId = referencedIds(queue.props.KmsMasterKeyId)[0] ?? 'no key';

    // Act
    const rules = rulesOf(dev);

    // Assess: the intake rules and the heartbeat, which proves this very path
    expect(rules.map(({ props }) => props.Name).sort()).toEqual(
      [...RULE_NAMES, 'rebound-dev-heartbeat'].sort(),
    );
    expect(queue.props.KmsMasterKeyId).toEqual(getAtt(keyId, 'Arn'));
    expect(resourcesOf(dev.template, 'AWS::KMS::Key').map(({ id }) => id)).toContain(keyId);
    for (const { props } of rules) {
      expect(props.Targets, props.Name).toEqual([
        expect.objectContaining({
          Arn: getAtt(triage.id, 'Arn'),
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: getAtt(queue.id, 'Arn') },
        }),
      ]);
    }
  });

  it('lets EventBridge and SNS write dead letters into the queue and use its key', () => {
    // Prepare
    const queue = triageQueueOf(dev);
    const keyId = referencedIds(queue.props.KmsMasterKeyId)[0] ?? 'no key';
    type Principal = { Service?: string };
    type Policy = { Statement: (Statement & { Principal?: Principal })[] };

    // Act
    const queuePolicy = onlyResource<{ Queues: unknown[]; PolicyDocument: Policy }>(
      dev.template,
      'AWS::SQS::QueuePolicy',
      { Queues: [ref(queue.id)] },
    );
    const key = resourcesOf<{ KeyPolicy: Policy }>(dev.template, 'AWS::KMS::Key').find(
      ({ id }) => id === keyId,
    );
    const sendersOf = (policy: Policy, action: string) =>
      policy.Statement.filter(
        (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action),
      ).map((statement) => statement.Principal?.Service);

    // Assess
    expect(new Set(sendersOf(queuePolicy.props.PolicyDocument, 'sqs:SendMessage'))).toEqual(
      new Set(['events.amazonaws.com', 'sns.amazonaws.com']),
    );
    expect(
      new Set(sendersOf(key?.props.KeyPolicy ?? { Statement: [] }, 'kms:GenerateDataKey')),
    ).toEqual(new Set(['events.amazonaws.com', 'sns.amazonaws.com']));
  });

  it('archives the union of all rule patterns, and nothing narrower, for 90 days', () => {
    // Prepare
    const patterns = rulesOf(dev)
      .filter(({ props }) => RULE_NAMES.includes(props.Name))
      .map(({ props }) => props.EventPattern);

    // Act
    const archive = onlyResource<{ EventPattern: unknown; RetentionDays: number }>(
      dev.template,
      'AWS::Events::Archive',
    );

    // Assess: `$or` alone (any other key would be ANDed with the union)
    expect(archive.props.EventPattern).toEqual({ $or: patterns });
    expect(archive.props.RetentionDays).toBe(90);
  });

  it('subscribes triage to the cache notifications, dead-lettering failed deliveries', () => {
    // Prepare
    const triage = triageOf(dev);
    const queue = triageQueueOf(dev);

    // Act
    const subscription = onlyResource<{
      Protocol: string;
      Endpoint: unknown;
      TopicArn: unknown;
      RedrivePolicy: unknown;
    }>(dev.template, 'AWS::SNS::Subscription');

    // Assess
    expect(subscription.props.Protocol).toBe('lambda');
    expect(subscription.props.Endpoint).toEqual(getAtt(triage.id, 'Arn'));
    expect(resolveDeployed(subscription.props.TopicArn, dev)).toBe(
      `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:rebound-dev-cache-events`,
    );
    expect(subscription.props.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt(queue.id, 'Arn'),
    });
  });
});

describe('triage function', () => {
  let dev: SynthesizedControlPlane;
  beforeAll(() => {
    dev = synthControlPlane();
  });

  it('runs on Node 24, ARM64, with X-Ray tracing', () => {
    // Act
    const { props } = triageOf(dev);

    // Assess
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('gets every environment variable it reads at load time, resolving to the shop', () => {
    // Prepare
    const tables = (name: string) =>
      onlyResource(dev.template, 'AWS::DynamoDB::GlobalTable', { TableName: name }).id;

    // Act
    const env = triageOf(dev).props.Environment.Variables;
    // The recovery-check role and queue are the control plane's own (test/infra/recovery-checks.test.ts),
    // the AZ ID map comes from the deploy-time lookup.
    const {
      INCIDENTS_TABLE: _,
      IDEMPOTENCY_TABLE: __,
      RECOVERY_CHECK_ROLE_ARN: ___,
      RECOVERY_CHECK_DLQ_ARN: ____,
      AVAILABILITY_ZONE_IDS: _____,
      ...fromShop
    } = env;
    const deployed = resolveDeployed(fromShop, dev);

    // Assess
    expect(env.INCIDENTS_TABLE).toEqual(ref(tables('rebound-dev-incidents')));
    expect(env.IDEMPOTENCY_TABLE).toEqual(ref(tables('rebound-dev-triage-idempotency')));
    expect(deployed).toMatchObject({
      STAGE: 'dev',
      NAME_PREFIX: 'rebound-dev',
      ALERTS_TOPIC_ARN: ALERTS_TOPIC_ARN,
      GUARDRAILS_PATH: '/rebound/dev/guardrails/',
      AUTO_SCALING_GROUP_NAME: 'rebound-dev-web',
      TARGET_GROUP_ARN: expect.stringMatching(
        /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup\/rebound-dev-web\//,
      ),
      DB_INSTANCE_IDS: DB_IDS.join(','),
      CACHE_REPLICATION_GROUP_ID: 'rebound-dev-cache',
      AVAILABILITY_ZONES: 'us-east-1a,us-east-1b,us-east-1c',
      RUNBOOK_STATE_MACHINES: JSON.stringify(RUNBOOK_ARNS),
    });
    // The shop's alarm table by exact name, each deployed by the shop stack; its health alarms
    // (the alerts dead letters) go to the ops topic and are not among them.
    const shopAlarms = String(env.SHOP_ALARM_NAMES).split(',');
    const deployedAlarms = Object.values(
      dev.shopTemplate.findResources('AWS::CloudWatch::Alarm'),
    ).map((alarm) => (alarm as { Properties: { AlarmName: unknown } }).Properties.AlarmName);
    expect(shopAlarms).toEqual(
      expect.arrayContaining(['rebound-dev-web-cpu-high', 'rebound-dev-db-replica-2-lag']),
    );
    expect(deployedAlarms).toEqual(expect.arrayContaining(shopAlarms));
    expect(shopAlarms).not.toContain('rebound-dev-alerts-dead-letters');
    // Exactly the handler's contract (functions/lib/environments.ts), plus the runtime options.
    expect(Object.keys(env).sort()).toEqual(
      [...Object.keys(TRIAGE_ENVIRONMENT.example), 'NODE_OPTIONS'].sort(),
    );
  });

  it("gets the shop's AZ IDs looked up at deploy, not an EC2 client of its own", () => {
    // Prepare: the one lookup (AwsCustomResource) and its call, as a JSON string (or one joined).
    const lookups = Object.entries(dev.template.findResources('Custom::AWS'));
    expect(lookups).toHaveLength(1);
    const [[lookupId, lookup]] = lookups as [[string, { Properties: { Create: unknown } }]];
    const raw = lookup.Properties.Create;
    const create = JSON.parse(
      typeof raw === 'string'
        ? raw
        : (raw as { 'Fn::Join': [string, string[]] })['Fn::Join'][1].join(''),
    ) as { service: string; action: string; parameters: unknown };

    // Act
    const env = triageOf(dev).props.Environment.Variables;

    // Assess: DescribeAvailabilityZones on the three shop AZs (botocore ec2: ZoneNames,
    // AvailabilityZones[].ZoneId/ZoneName); the variable joins ZoneId=ZoneName per AZ.
    expect(create).toMatchObject({
      service: 'EC2',
      action: 'describeAvailabilityZones',
      parameters: { ZoneNames: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
    });
    const pairs = [0, 1, 2].map((index) => ({
      'Fn::Join': [
        '=',
        [
          { 'Fn::GetAtt': [lookupId, `AvailabilityZones.${index}.ZoneId`] },
          { 'Fn::GetAtt': [lookupId, `AvailabilityZones.${index}.ZoneName`] },
        ],
      ],
    }));
    expect(env.AVAILABILITY_ZONE_IDS).toEqual({ 'Fn::Join': [',', pairs] });
  });

  it('grants no action wildcard and `*` resources only to APIs without resource-level scoping', () => {
    // Act: the Allows (the Denies keep approval items out of reach, see ops-health.test.ts)
    const statements = triageStatements(dev).filter(({ Effect }) => Effect === 'Allow');
    const anyResource = statements.filter(({ Resource }) => asList(Resource).includes('*'));

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^\*$|:\*$/);
    }
    expect(anyResource.flatMap(actionsOf).sort()).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeAutoScalingInstances',
      'cloudwatch:GetMetricData',
      'elasticloadbalancing:DescribeTargetHealth',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it.each([
    [
      'ssm:GetParametersByPath',
      [`arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/rebound/dev/guardrails`],
    ],
    ['states:StartExecution', Object.values(RUNBOOK_ARNS)],
    // Only the runs waiting for a recovery AWS announces (recovery-announcements.ts).
    [
      'states:SendTaskSuccess',
      ['rds-failover', 'cache-failover', 'az-evacuation'].map((name) => RUNBOOK_ARNS[name]),
    ],
    [
      'rds:DescribeDBInstances',
      DB_IDS.map((id) => `arn:aws:rds:us-east-1:${TEST_ACCOUNT}:db:${id}`),
    ],
    ['sns:Publish', [ALERTS_TOPIC_ARN]],
    // The cache's member clusters (zone-locator.ts: where a failed primary was).
    [
      'elasticache:DescribeCacheClusters',
      [`arn:aws:elasticache:us-east-1:${TEST_ACCOUNT}:cluster:rebound-dev-cache-*`],
    ],
  ])('allows %s only on %j', (action, expected) => {
    // Act
    const granting = triageStatements(dev).filter((statement) =>
      actionsOf(statement).includes(action),
    );

    // Assess
    expect(granting.flatMap(({ Resource }) => asList(resolveDeployed(Resource, dev)))).toEqual(
      expected,
    );
  });
});

describe('incident tables', () => {
  let dev: SynthesizedControlPlane;
  beforeAll(() => {
    dev = synthControlPlane();
  });

  it.each([
    ['rebound-dev-incidents', 'pk', 'expiresAt'],
    ['rebound-dev-triage-idempotency', 'id', 'expiration'],
  ])('%s: key %s, TTL on %s, point-in-time recovery, encrypted', (name, key, ttl) => {
    // Act
    const { props } = onlyResource<TableProps>(dev.template, 'AWS::DynamoDB::GlobalTable', {
      TableName: name,
    });

    // Assess
    expect(props.KeySchema).toEqual([{ AttributeName: key, KeyType: 'HASH' }]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: ttl, Enabled: true });
    expect(props.SSESpecification.SSEEnabled).toBe(true);
    expect(props.Replicas.map((replica) => replica.PointInTimeRecoverySpecification)).toEqual([
      { PointInTimeRecoveryEnabled: true },
    ]);
  });
});

describe('guardrail parameters', () => {
  const parametersOf = ({ template }: SynthesizedControlPlane) =>
    Object.fromEntries(
      resourcesOf<{ Name: string; Value: string }>(template, 'AWS::SSM::Parameter').map(
        ({ props }) => [props.Name, props.Value],
      ),
    );

  it('puts every guardrail under /rebound/dev/guardrails/, dry-run by default', () => {
    // Act
    const parameters = parametersOf(synthControlPlane());

    // Assess
    expect(Object.keys(parameters).length).toBeGreaterThan(1);
    for (const name of Object.keys(parameters)) {
      expect(name).toMatch(/^\/rebound\/dev\/guardrails\/[a-z-]+$/);
    }
    expect(parameters['/rebound/dev/guardrails/mode']).toBe('dry-run');
  });

  it('takes the mode from -c automationMode=auto', () => {
    // Act
    const parameters = parametersOf(synthControlPlane({ automationMode: 'auto' }));

    // Assess
    expect(parameters['/rebound/dev/guardrails/mode']).toBe('auto');
  });

  it('refuses an unknown automationMode with a ConfigError naming the key', () => {
    // Act
    const build = () => buildReboundApp({ context: { automationMode: 'bogus' } });

    // Assess
    expect(build).toThrow(ConfigError);
    try {
      build();
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toMatch(/automationMode/);
    }
  });
});
