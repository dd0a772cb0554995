import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { listNagAcknowledgements } from '../../infra/nag.js';
import { Approvals } from '../../runbooks/kit/approvals.js';

const ENV = { account: '123456789012', region: 'us-east-1' } as const;
const PREFIX = 'rebound-test';
const TABLE = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:dynamodb:us-east-1:123456789012:table/${PREFIX}-incidents`,
    ],
  ],
};

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

describe('Approvals', () => {
  let stack: Stack;
  let approvals: Approvals;
  let template: Template;

  beforeAll(() => {
    // Prepare: the shared resources imported, cdk-nag on (a finding fails the synth).
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new Stack(app, 'ApprovalsTest', { env: ENV });
    approvals = new Approvals(stack, 'Approvals', {
      namePrefix: PREFIX,
      stage: 'test',
      incidents: dynamodb.Table.fromTableName(stack, 'Incidents', `${PREFIX}-incidents`),
      alertsTopic: sns.Topic.fromTopicArn(
        stack,
        'Alerts',
        `arn:aws:sns:us-east-1:123456789012:${PREFIX}-alerts`,
      ),
      deadLetterQueue: sqs.Queue.fromQueueArn(
        stack,
        'DeadLetters',
        `arn:aws:sqs:us-east-1:123456789012:${PREFIX}-dead-letters`,
      ),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

    // Act
    app.synth();
    template = Template.fromStack(stack);
  });

  const logicalId = (construct: { node: { defaultChild?: unknown } } | undefined): string => {
    if (construct === undefined) throw new Error('no such construct (approvals in iam mode?)');
    return stack.getLogicalId(construct.node.defaultChild as never);
  };
  const functionId = (name: string): string => {
    const [id] = Object.keys(
      template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }),
    );
    if (id === undefined) throw new Error(`no function ${name}`);
    return id;
  };
  const roleId = (fnId: string): string => {
    const fn = template.toJSON().Resources[fnId];
    return fn.Properties.Role['Fn::GetAtt'][0];
  };
  /** Every statement of the policies attached to the role (the log group's grant aside). */
  const statements = (role: string): Statement[] =>
    Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: role }] },
      }),
    ).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
          .PolicyDocument.Statement,
    );
  const actionsOf = (statement: Statement): string[] =>
    typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
  const allActions = (role: string): string[] => statements(role).flatMap(actionsOf).sort();

  it('passes cdk-nag (AwsSolutions and Serverless) with a reason for every acknowledgement', () => {
    // Assess: the synth above threw on any unacknowledged finding.
    const acknowledged = listNagAcknowledgements(approvals);
    expect(acknowledged.map((ack) => ack.finding)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SMG4',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:us-east-1:123456789012:stateMachine:${PREFIX}-*]`,
      ]),
    );
    for (const ack of acknowledged) expect(ack.reason.length).toBeGreaterThan(60);
  });

  it('creates the approvals function and the endpoint on Node 24 ARM64', () => {
    for (const name of [`${PREFIX}-approvals`, `${PREFIX}-approval-endpoint`]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: Match.anyValue(),
      });
      const fn = template.toJSON().Resources[functionId(name)];
      expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(10);
      expect(fn.Properties.Timeout).toBeLessThanOrEqual(30);
    }
  });

  it('puts the endpoint behind a Function URL with auth NONE, open to anyone holding a link', () => {
    // Assess
    const endpoint = functionId(`${PREFIX}-approval-endpoint`);
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [endpoint, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
      FunctionName: { 'Fn::GetAtt': [endpoint, 'Arn'] },
    });
    expect(approvals.links?.endpointUrl).toBe(
      stack.resolve(approvals.links?.functionUrl.url) && approvals.links?.endpointUrl,
    );
  });

  it('wires each function with the variables its handler requires', () => {
    const secret = logicalId(approvals.links?.signingKey);
    const url = logicalId(approvals.links?.functionUrl);
    const env = (name: string) =>
      template.toJSON().Resources[functionId(name)].Properties.Environment.Variables;
    expect(env(`${PREFIX}-approvals`)).toMatchObject({
      INCIDENTS_TABLE: `${PREFIX}-incidents`,
      ALERTS_TOPIC_ARN: `arn:aws:sns:us-east-1:123456789012:${PREFIX}-alerts`,
      STAGE: 'test',
      APPROVAL_MODE: 'links',
      SIGNING_KEY_SECRET_ARN: { Ref: secret },
      APPROVAL_ENDPOINT_URL: { 'Fn::GetAtt': [url, 'FunctionUrl'] },
    });
    expect(env(`${PREFIX}-approval-endpoint`)).toMatchObject({
      INCIDENTS_TABLE: `${PREFIX}-incidents`,
      SIGNING_KEY_SECRET_ARN: { Ref: secret },
    });
  });

  it('caps the public endpoint at 5 concurrent runs, so a flood of the URL cannot starve remediation', () => {
    // Act
    const endpoint = template.toJSON().Resources[functionId(`${PREFIX}-approval-endpoint`)];
    const approvalsFn = template.toJSON().Resources[functionId(`${PREFIX}-approvals`)];

    // Assess
    expect(endpoint.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(approvalsFn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('generates a 64-character signing key without punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `${PREFIX}-approval-signing-key`,
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('lets the approvals function use the incident table, publish alerts and read the key, nothing more', () => {
    // Prepare
    const role = roleId(functionId(`${PREFIX}-approvals`));
    const secret = logicalId(approvals.links?.signingKey);
    const all = statements(role);

    // Assess
    expect(allActions(role)).not.toContain('states:SendTaskSuccess');
    expect(all).toContainEqual(
      expect.objectContaining({
        Action: 'sns:Publish',
        Resource: `arn:aws:sns:us-east-1:123456789012:${PREFIX}-alerts`,
      }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secret },
      }),
    );
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
      ],
      Resource: TABLE,
    });
    const dynamo = allActions(role).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamo).toHaveLength(5);
    const services = new Set(allActions(role).map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual([
      'dynamodb',
      'logs',
      'secretsmanager',
      'sns',
      'sqs',
      'xray',
    ]);
    for (const statement of all) expect(statement.Effect).toBe('Allow');
  });

  it('lets the endpoint read and claim approval items only, read the key and answer runbook tasks', () => {
    // Prepare
    const role = roleId(functionId(`${PREFIX}-approval-endpoint`));
    const secret = logicalId(approvals.links?.signingKey);
    const all = statements(role);

    // Assess
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: TABLE,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPROVAL#*'] } },
    });
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:states:us-east-1:123456789012:stateMachine:${PREFIX}-*`,
          ],
        ],
      },
    });
    expect(all).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secret },
      }),
    );
    const services = new Set(allActions(role).map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual([
      'dynamodb',
      'logs',
      'secretsmanager',
      'sqs',
      'states',
      'xray',
    ]);
    expect(allActions(role)).not.toContain('sns:Publish');
    expect(allActions(role)).not.toContain('dynamodb:PutItem');
  });
});

describe('Approvals, IAM-only (approvals=iam)', () => {
  it('has no endpoint, no Function URL, no signing key, and tells the function so', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'IamApprovalsTest', { env: ENV });

    // Act
    const approvals = new Approvals(stack, 'Approvals', {
      namePrefix: PREFIX,
      stage: 'test',
      incidents: dynamodb.Table.fromTableName(stack, 'Incidents', `${PREFIX}-incidents`),
      alertsTopic: sns.Topic.fromTopicArn(
        stack,
        'Alerts',
        `arn:aws:sns:us-east-1:123456789012:${PREFIX}-alerts`,
      ),
      deadLetterQueue: sqs.Queue.fromQueueArn(
        stack,
        'DeadLetters',
        `arn:aws:sqs:us-east-1:123456789012:${PREFIX}-dead-letters`,
      ),
      mode: 'iam',
    });
    const template = Template.fromStack(stack);

    // Assess
    expect(approvals.links).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<
        string,
        {
          Properties: { FunctionName: string; Environment: { Variables: Record<string, unknown> } };
        }
      >,
    );
    expect(functions.map(({ Properties }) => Properties.FunctionName)).toEqual([
      `${PREFIX}-approvals`,
    ]);
    const variables = functions[0]?.Properties.Environment.Variables ?? {};
    expect(variables.APPROVAL_MODE).toBe('iam');
    expect(variables).not.toHaveProperty('APPROVAL_ENDPOINT_URL');
    expect(variables).not.toHaveProperty('SIGNING_KEY_SECRET_ARN');
  });
});
