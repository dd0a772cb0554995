import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import {
  resolveDeployed,
  type SynthesizedControlPlane,
  synthControlPlane,
  TEST_ACCOUNT,
} from './synth-control-plane.js';
import {
  getAtt,
  onlyResource,
  PROD_EU_CONTEXT,
  ref,
  referencedIds,
  resourcesOf,
} from './synth-shop.js';

// Who notices when Rebound itself is down (issue 11 §1): the topics CloudWatch alarms publish
// to, the ops path, the heartbeat and the alarms on every part of the control plane.

const OPS_TOPIC_ARN = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:rebound-dev-ops`;
const ALERTS_TOPIC_ARN = `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:rebound-dev-alerts`;
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${TEST_ACCOUNT}:alarm:${name}`;
/**
 * A stage with recipients, its own SMS spend limit and IAM-only approvals: one more synthesis
 * for all three.
 */
const PROD_CONTEXT = { ...PROD_EU_CONTEXT, smsSpendLimitUsd: '5', approvals: 'iam' };
const INTAKE_RULES = [
  'alarm-state-changes',
  'auto-scaling-events',
  'rds-instance-events',
  'health-events',
  'ec2-instance-events',
  'arc-autoshift-events',
  'runbook-failures',
  'heartbeat',
].map((id) => `rebound-dev-${id}`);

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: { Service?: string };
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}
interface AlarmProps {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly AlarmActions?: unknown[];
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: { Name: string; Value: unknown }[];
  readonly Statistic?: string;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly TreatMissingData: string;
}

const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);
const cloudWatchAllows = (statements: readonly Statement[], action: string) =>
  statements.filter(
    (statement) =>
      statement.Effect === 'Allow' &&
      statement.Principal?.Service === 'cloudwatch.amazonaws.com' &&
      asList(statement.Action).includes(action),
  );

/** The topic policy and key policy statements that let CloudWatch publish to `topicName`. */
const publishingPolicy = (synthesized: SynthesizedControlPlane, topicName: string) => {
  const template = synthesized.shopTemplate;
  const topic = onlyResource<{ KmsMasterKeyId: unknown }>(template, 'AWS::SNS::Topic', {
    TopicName: topicName,
  });
  const policy = onlyResource<{ PolicyDocument: { Statement: Statement[] } }>(
    template,
    'AWS::SNS::TopicPolicy',
    { Topics: [ref(topic.id)] },
  );
  const keyId = referencedIds(topic.props.KmsMasterKeyId)[0] ?? 'no key';
  const key = resourcesOf<{ KeyPolicy: { Statement: Statement[] } }>(
    template,
    'AWS::KMS::Key',
  ).find(({ id }) => id === keyId);
  return {
    topicStatements: cloudWatchAllows(policy.props.PolicyDocument.Statement, 'sns:Publish'),
    keyStatements: cloudWatchAllows(key?.props.KeyPolicy.Statement ?? [], 'kms:GenerateDataKey*'),
    topicId: topic.id,
  };
};

describe('topics CloudWatch alarms publish to', () => {
  let dev: SynthesizedControlPlane;
  beforeAll(() => {
    dev = synthControlPlane();
  });

  it("lets the guardrail alarm and the runbooks' run alarms publish to the alerts topic and use its key, from this account only", () => {
    // Act
    const { topicStatements, keyStatements } = publishingPolicy(dev, 'rebound-dev-alerts');

    // Assess: the policy enforceSSL writes replaces the default one; without this Allow the
    // alarm's action fails, and without the key statement SNS cannot encrypt the message.
    expect(topicStatements).toHaveLength(1);
    expect(keyStatements).toHaveLength(1);
    for (const statement of [...topicStatements, ...keyStatements]) {
      expect(resolveDeployed(statement.Condition, dev)).toEqual({
        StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
        ArnLike: {
          'aws:SourceArn': [
            alarmArn('rebound-dev-guardrails-unreadable'),
            alarmArn('rebound-dev-*-executions-failed'),
            alarmArn('rebound-dev-*-executions-timed-out'),
          ],
        },
      });
    }
    expect(asList(keyStatements[0]?.Action).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    ]);
  });

  it("lets Rebound's own alarms publish to the ops topic and use its key, and nobody else's", () => {
    // Act
    const { topicStatements, keyStatements } = publishingPolicy(dev, 'rebound-dev-ops');

    // Assess
    expect(topicStatements).toHaveLength(1);
    expect(keyStatements).toHaveLength(1);
    for (const statement of [...topicStatements, ...keyStatements]) {
      expect(resolveDeployed(statement.Condition, dev)).toEqual({
        StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
        ArnLike: { 'aws:SourceArn': [alarmArn('rebound-dev-*')] },
      });
    }
  });
});

describe('ops topic', () => {
  it('sends every message to every email and every SMS number, unfiltered', () => {
    // Prepare
    const prod = synthControlPlane(PROD_CONTEXT);
    const topic = onlyResource(prod.shopTemplate, 'AWS::SNS::Topic', {
      TopicName: 'rebound-prod-ops',
    });
    const alertsQueue = onlyResource(prod.shopTemplate, 'AWS::SQS::Queue', {
      QueueName: 'rebound-prod-alerts-dlq',
    });

    // Act
    const subscriptions = resourcesOf<{
      Protocol: string;
      Endpoint: string;
      TopicArn: unknown;
      FilterPolicy?: unknown;
      RedrivePolicy?: { deadLetterTargetArn: unknown };
    }>(prod.shopTemplate, 'AWS::SNS::Subscription').filter(
      ({ props }) => JSON.stringify(props.TopicArn) === JSON.stringify(ref(topic.id)),
    );

    // Assess
    expect(subscriptions.map(({ props }) => `${props.Protocol} ${props.Endpoint}`).sort()).toEqual([
      'email oncall@example.com',
      'email ops@example.com',
      'sms +15555550100',
    ]);
    for (const { props } of subscriptions) {
      expect(props, props.Endpoint).not.toHaveProperty('FilterPolicy');
      expect(props.RedrivePolicy?.deadLetterTargetArn).toEqual(getAtt(alertsQueue.id, 'Arn'));
    }
  });
});

/**
 * The stack's Rebound functions: every one but CDK's AwsCustomResource provider, which
 * CloudFormation invokes only while it deploys (the AZ ID lookup) and which reads no incident.
 */
const reboundFunctions = <P>(template: Parameters<typeof resourcesOf>[0]) => {
  const all = resourcesOf<P>(template, 'AWS::Lambda::Function');
  const provider = `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
  return all.filter(({ id }) => !id.startsWith(provider));
};

describe('control-plane health alarms', () => {
  let dev: SynthesizedControlPlane;
  let alarms: AlarmProps[];
  const alarm = (name: string) => {
    const found = alarms.find(({ AlarmName }) => AlarmName === name);
    if (found === undefined) throw new Error(`no alarm ${name}`);
    return found;
  };
  beforeAll(() => {
    dev = synthControlPlane();
    alarms = resourcesOf<AlarmProps>(dev.template, 'AWS::CloudWatch::Alarm').map(
      ({ props }) => props,
    );
  });

  it("publishes every control-plane alarm to the ops topic, but the guardrail alarm and the runbooks' run alarms to the alerts", () => {
    // Act
    const targets = Object.fromEntries(
      alarms.map(({ AlarmName, AlarmActions }) => [AlarmName, resolveDeployed(AlarmActions, dev)]),
    );

    // Assess
    expect(alarms.length).toBeGreaterThan(20);
    for (const [name, actions] of Object.entries(targets)) {
      // The run alarms email only (no page attributes: the SMS filter drops them); a run's page
      // comes from its Escalate step or from triage (health-alarms.ts).
      const emailsOnly =
        name === 'rebound-dev-guardrails-unreadable' ||
        /-executions-(failed|timed-out)$/.test(name);
      expect(actions, name).toEqual(emailsOnly ? [ALERTS_TOPIC_ARN] : [OPS_TOPIC_ARN]);
    }
  });

  it('alarms on errors and throttles of every function of the stack, approval endpoint included', () => {
    // Prepare
    const functions = reboundFunctions<{ FunctionName: string }>(dev.template);

    // Act
    const names = functions.map(({ props }) => props.FunctionName);

    // Assess
    expect(names).toContain('rebound-dev-approval-endpoint');
    expect(names).toContain('rebound-dev-triage');
    for (const { id, props } of functions) {
      for (const [suffix, metric] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ] as const) {
        const found = alarm(`${props.FunctionName}-${suffix}`);
        expect(found.Namespace).toBe('AWS/Lambda');
        expect(found.MetricName).toBe(metric);
        expect(found.Dimensions).toEqual([{ Name: 'FunctionName', Value: ref(id) }]);
        expect(found.ComparisonOperator).toBe('GreaterThanThreshold');
        expect(found.Threshold).toBe(0);
      }
    }
  });

  it('alarms on failed and timed-out runs of every runbook (AWS/States, StateMachineArn)', () => {
    for (const { name } of RUNBOOKS) {
      // Act
      const failed = alarm(`rebound-dev-${name}-executions-failed`);
      const timedOut = alarm(`rebound-dev-${name}-executions-timed-out`);

      // Assess
      for (const [found, metric] of [
        [failed, 'ExecutionsFailed'],
        [timedOut, 'ExecutionsTimedOut'],
      ] as const) {
        expect(found.Namespace).toBe('AWS/States');
        expect(found.MetricName).toBe(metric);
        expect(resolveDeployed(found.Dimensions, dev)).toEqual([
          {
            Name: 'StateMachineArn',
            Value: `arn:aws:states:us-east-1:${TEST_ACCOUNT}:stateMachine:rebound-dev-${name}`,
          },
        ]);
      }
    }
  });

  it('alarms on FailedInvocations of every rule into triage (AWS/Events, RuleName)', () => {
    for (const rule of INTAKE_RULES) {
      // Act
      const found = alarm(`${rule}-failed-invocations`);

      // Assess
      expect(found.Namespace).toBe('AWS/Events');
      expect(found.MetricName).toBe('FailedInvocations');
      expect(found.Dimensions).toEqual([{ Name: 'RuleName', Value: rule }]);
    }
  });

  it('pages at 80% of the SMS spend limit, before SNS stops sending', () => {
    // Act
    const prod = synthControlPlane(PROD_CONTEXT);
    const spend = resourcesOf<AlarmProps>(prod.template, 'AWS::CloudWatch::Alarm').find(
      ({ props }) => props.AlarmName === 'rebound-prod-sms-spend-near-limit',
    )?.props;

    // Assess
    expect(alarm('rebound-dev-sms-spend-near-limit').Threshold).toBe(0.8);
    expect(spend).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Statistic: 'Maximum',
      Threshold: 4,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(spend?.Dimensions).toBeUndefined();
  });

  it('pages "Rebound is not hearing events" when heartbeats stop, no data counting as missed', () => {
    // Act
    const found = alarm('rebound-dev-not-hearing-events');

    // Assess
    expect(found).toMatchObject({
      Namespace: 'Rebound',
      MetricName: 'Heartbeats',
      Dimensions: [{ Name: 'Stage', Value: 'dev' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(found.AlarmDescription).toMatch(/^\[critical\] Rebound is not hearing events/);
  });

  it('alarms on events from AWS sources that the parser rejected', () => {
    // Act
    const found = alarm('rebound-dev-aws-events-rejected');

    // Assess
    expect(found).toMatchObject({
      Namespace: 'Rebound',
      MetricName: 'IgnoredEvents',
      Dimensions: [{ Name: 'Origin', Value: 'aws' }],
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('sends the heartbeat every 5 minutes into triage through the intake target settings', () => {
    // Prepare
    const triage = onlyResource(dev.template, 'AWS::Lambda::Function', {
      FunctionName: 'rebound-dev-triage',
    });
    const queue = onlyResource(dev.template, 'AWS::SQS::Queue', {
      QueueName: 'rebound-dev-triage-dlq',
    });

    // Act
    const rule = onlyResource<{ ScheduleExpression: string; Targets: unknown[] }>(
      dev.template,
      'AWS::Events::Rule',
      { Name: 'rebound-dev-heartbeat' },
    );

    // Assess
    expect(rule.props.ScheduleExpression).toBe('rate(5 minutes)');
    expect(rule.props.Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt(triage.id, 'Arn'),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: getAtt(queue.id, 'Arn') },
      }),
    ]);
  });
});

// The approval path (issue 11 §5): concurrency, and who may read an approval item (its task
// token answers the run).
describe('approval path', () => {
  let dev: SynthesizedControlPlane;
  type FunctionProps = {
    FunctionName: string;
    Role: unknown;
    ReservedConcurrentExecutions?: number;
  };
  let functions: { id: string; props: FunctionProps }[];
  const statementsOfRole = (roleId: string) =>
    resourcesOf<{ Roles: unknown[]; PolicyDocument: { Statement: Statement[] } }>(
      dev.template,
      'AWS::IAM::Policy',
    )
      .filter(({ props }) => props.Roles.some((role) => referencedIds(role).includes(roleId)))
      .flatMap(({ props }) => props.PolicyDocument.Statement);
  beforeAll(() => {
    dev = synthControlPlane();
    functions = reboundFunctions<FunctionProps>(dev.template);
  });

  it('caps the public approval endpoint at 5 and reserves a floor of 10 for triage', () => {
    // Act
    const reserved = Object.fromEntries(
      functions.map(({ props }) => [props.FunctionName, props.ReservedConcurrentExecutions]),
    );

    // Assess
    expect(reserved['rebound-dev-approval-endpoint']).toBe(5);
    expect(reserved['rebound-dev-triage']).toBe(10);
  });

  it('denies every function but the endpoint any read of approval items, and any scan', () => {
    // Prepare
    const table = onlyResource(dev.template, 'AWS::DynamoDB::GlobalTable', {
      TableName: 'rebound-dev-incidents',
    });

    for (const { props } of functions) {
      // Act
      const statements = statementsOfRole(referencedIds(props.Role)[0] ?? 'no role');
      const denies = statements.filter(({ Effect }) => Effect === 'Deny');

      // Assess
      if (props.FunctionName === 'rebound-dev-approval-endpoint') {
        expect(denies, props.FunctionName).toEqual([]);
        const reads = statements.filter((statement) =>
          asList(statement.Action).includes('dynamodb:GetItem'),
        );
        expect(reads.map(({ Condition }) => Condition)).toEqual([
          { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPROVAL#*'] } },
        ]);
        continue;
      }
      const keyed = denies.find(({ Sid }) => Sid === 'NoApprovalItemReads');
      expect(asList(keyed?.Action).sort(), props.FunctionName).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
      expect(keyed?.Condition).toEqual({
        'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['APPROVAL#*'] },
      });
      const scan = denies.find(({ Sid }) => Sid === 'NoTableScans');
      expect(scan?.Action).toBe('dynamodb:Scan');
      for (const deny of [keyed, scan]) {
        expect(deny?.Resource, props.FunctionName).toEqual(getAtt(table.id, 'Arn'));
      }
    }
  });

  it('with -c approvals=iam, deploys no endpoint and no Function URL', () => {
    // Act
    const prod = synthControlPlane(PROD_CONTEXT);

    // Assess
    expect(resourcesOf(prod.template, 'AWS::Lambda::Url')).toEqual([]);
    expect(resourcesOf(prod.template, 'AWS::SecretsManager::Secret')).toEqual([]);
    const names = resourcesOf<FunctionProps>(prod.template, 'AWS::Lambda::Function').map(
      ({ props }) => props.FunctionName,
    );
    expect(names).toContain('rebound-prod-approvals');
    expect(names).not.toContain('rebound-prod-approval-endpoint');
    expect(Object.keys(prod.template.toJSON().Outputs ?? {})).not.toContain('ApprovalEndpointUrl');
  });
});
