import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  IAMClient,
  type PolicyEvaluationDecisionType,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import type { SynthesizedApp } from '../../sandbox/checks/synthesized-app.js';
import {
  ALARM_HISTORY_ATTEMPTS,
  runVerifyDeploy,
  VERIFY_DEPLOY_USAGE,
} from '../../sandbox/verify-deploy/verify-deploy.js';

// npm run verify-deploy over mocked AWS clients: the requests it sends, the line per check,
// the exit codes. test/checks/verify-deploy-moto.test.ts sends the requests moto implements
// over the wire.

const sfn = mockClient(SFNClient);
const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const cloudwatch = mockClient(CloudWatchClient);

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/rebound-test-triage-role`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:rebound-test-alerts`;
const ALARM = 'rebound-test-guardrails-unreadable';
const DEFINITION = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };

/** A small app as synthesizeApp reads it: one state machine, one guardrail reader. */
const appFor = (context: Readonly<Record<string, unknown>>): SynthesizedApp => ({
  config: loadConfig((key) => context[key], Object.keys(context)).config,
  stateMachines: [
    {
      name: 'rebound-test-scale-out',
      stackName: 'rebound-test-control-plane',
      logicalId: 'ScaleOut',
      definition: DEFINITION,
      allowedActions: [],
    },
  ],
  guardrailReaders: [
    {
      functionName: 'rebound-test-triage',
      guardrailsPath: '/rebound/test/guardrails/',
      grantedResources: [],
    },
  ],
});

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly sleeps: number[];
}

const run = async (...args: string[]): Promise<Run> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rebound-verify-deploy-'));
  const cdkJsonPath = path.join(dir, 'cdk.json');
  writeFileSync(cdkJsonPath, JSON.stringify({ context: { stage: 'test', region: 'eu-west-1' } }));
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const code = await runVerifyDeploy(args, {
    clients: () => ({
      sfn: new SFNClient({}),
      lambda: new LambdaClient({}),
      iam: new IAMClient({}),
      cloudwatch: new CloudWatchClient({}),
    }),
    cdkJsonPath,
    synthesize: appFor,
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
    },
    now: () => new Date('2025-01-01T12:00:00Z'),
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out, err, sleeps };
};

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

beforeEach(() => {
  for (const client of [sfn, lambda, iam, cloudwatch]) client.reset();
  sfn.on(ValidateStateMachineDefinitionCommand).resolves({ result: 'OK', diagnostics: [] });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    FunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:rebound-test-triage`,
    Role: ROLE,
    Environment: { Variables: { GUARDRAILS_PATH: '/rebound/test/guardrails/' } },
  });
  iam.on(SimulatePrincipalPolicyCommand).resolves({
    EvaluationResults: [{ EvalActionName: 'ssm:GetParametersByPath', EvalDecision: 'allowed' }],
  });
});

describe('npm run verify-deploy', () => {
  it('validates each definition and simulates each guardrail read, one line each', async () => {
    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toEqual([
      'ok    definition rebound-test-scale-out: ValidateStateMachineDefinition OK',
      `ok    guardrail read rebound-test-triage: ${ROLE} is allowed ssm:GetParametersByPath on arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/rebound/test/guardrails`,
      `skip  alerting path ${ALARM}: pass --alarm-test to set it to ALARM (emails every alert subscriber)`,
      'verify-deploy test in eu-west-1: 2 ok, 0 failed, 1 skipped',
    ]);
    expect(sfn).toHaveReceivedCommandWith(ValidateStateMachineDefinitionCommand, {
      definition: JSON.stringify(DEFINITION),
      type: 'STANDARD',
      severity: 'WARNING',
    });
    expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, {
      FunctionName: 'rebound-test-triage',
    });
    // The path the deployed code sends: its GUARDRAILS_PATH without the trailing slash.
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE,
      ActionNames: ['ssm:GetParametersByPath'],
      ResourceArns: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/rebound/test/guardrails`],
    });
    expect(cloudwatch.calls()).toHaveLength(0);
  });

  it('fails a definition Step Functions finds fault with, naming each diagnostic', async () => {
    // Prepare
    sfn.on(ValidateStateMachineDefinitionCommand).resolves({
      result: 'FAIL',
      diagnostics: [
        {
          severity: 'ERROR',
          code: 'SCHEMA_VALIDATION_FAILED',
          message: 'The field "DBInstanceIdentifier" is not supported',
          location: '/States/ForceFailover/Parameters',
        },
      ],
    });

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(result.out[0]).toBe(
      'FAIL  definition rebound-test-scale-out: ValidateStateMachineDefinition FAIL: ERROR SCHEMA_VALIDATION_FAILED at /States/ForceFailover/Parameters: The field "DBInstanceIdentifier" is not supported',
    );
    expect(result.out.at(-1)).toBe('verify-deploy test in eu-west-1: 1 ok, 1 failed, 1 skipped');
  });

  it('fails a warning too', async () => {
    // Prepare
    sfn.on(ValidateStateMachineDefinitionCommand).resolves({
      result: 'OK',
      diagnostics: [{ severity: 'WARNING', code: 'NO_DOLLAR', message: 'looks like a path' }],
    });

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^FAIL {2}definition .*: WARNING NO_DOLLAR: looks like a path$/);
  });

  it.each<[PolicyEvaluationDecisionType, string]>([
    ['implicitDeny', 'is implicitDeny ssm:GetParametersByPath on'],
    ['explicitDeny', 'is explicitDeny ssm:GetParametersByPath on'],
  ])('fails a guardrail read IAM would deny (%s)', async (decision, text) => {
    // Prepare
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [{ EvalActionName: 'ssm:GetParametersByPath', EvalDecision: decision }],
    });

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(result.out[1]).toMatch(
      new RegExp(`^FAIL {2}guardrail read rebound-test-triage: .*${text}`),
    );
  });

  it('says a reader is not deployed, and what the caller lacks when denied', async () => {
    // Prepare
    lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(awsError('ResourceNotFoundException', 'Function not found'));
    sfn
      .on(ValidateStateMachineDefinitionCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized'));

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(result.out.slice(0, 2)).toEqual([
      'FAIL  definition rebound-test-scale-out: access denied (not authorized); your role needs states:ValidateStateMachineDefinition',
      'FAIL  guardrail read rebound-test-triage: function not deployed in this account and region: deploy the control plane stack',
    ]);
  });

  it('stops with one line when there are no credentials', async () => {
    // Prepare
    sfn
      .on(ValidateStateMachineDefinitionCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );

    // Act
    const result = await run();

    // Assess
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([
      'error: no AWS credentials (Could not load credentials from any providers); log in (aws sso login, aws configure or AWS_PROFILE) and retry',
    ]);
    expect(lambda.calls()).toHaveLength(0);
  });

  it.each([
    [['--bogus'], 'error: unknown argument "--bogus"'],
    [['-c', 'stage'], 'error: -c needs key=value (got "stage")'],
  ])('refuses bad arguments %j with exit code 2', async (args, line) => {
    // Act
    const result = await run(...args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toEqual([line, VERIFY_DEPLOY_USAGE]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('refuses a bad configuration with the config line and exit code 2', async () => {
    // Act
    const result = await run('-c', 'stage=Prod');

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toEqual([expect.stringMatching(/^error: config "stage": got "Prod"/)]);
  });

  it('prints its help', async () => {
    // Act
    const result = await run('--help');

    // Assess
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^usage: npm run verify-deploy/);
  });
});

describe('npm run verify-deploy --alarm-test', () => {
  beforeEach(() => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ AlarmName: ALARM, AlarmActions: [TOPIC] }] });
    cloudwatch.on(SetAlarmStateCommand).resolves({});
  });

  it('sets the alarm to ALARM, confirms CloudWatch published, and sets it back to OK', async () => {
    // Prepare: the action shows up in the history on the second look.
    cloudwatch
      .on(DescribeAlarmHistoryCommand)
      .resolvesOnce({ AlarmHistoryItems: [] })
      .resolves({
        AlarmHistoryItems: [
          { HistoryItemType: 'Action', HistorySummary: `Successfully executed action ${TOPIC}` },
        ],
      });

    // Act
    const result = await run('--alarm-test');

    // Assess
    expect(result.code).toBe(0);
    expect(result.out[2]).toBe(
      `ok    alerting path ${ALARM}: set to ALARM; CloudWatch: Successfully executed action ${TOPIC} (${TOPIC})`,
    );
    const states = cloudwatch
      .commandCalls(SetAlarmStateCommand)
      .map((call) => call.args[0].input.StateValue);
    expect(states).toEqual(['ALARM', 'OK']);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmHistoryCommand, {
      AlarmName: ALARM,
      HistoryItemType: 'Action',
      StartDate: new Date('2025-01-01T12:00:00Z'),
    });
    expect(result.sleeps).toEqual([5_000, 5_000]);
  });

  it('fails when CloudWatch could not publish, and still sets the alarm back', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          HistoryItemType: 'Action',
          HistorySummary: `Failed to execute action ${TOPIC}`,
          HistoryData: JSON.stringify({ actionState: 'Failed', error: 'KMS key not accessible' }),
        },
      ],
    });

    // Act
    const result = await run('--alarm-test');

    // Assess
    expect(result.code).toBe(1);
    expect(result.out[2]).toMatch(
      /^FAIL {2}alerting path .*: set to ALARM; CloudWatch: Failed to execute action/,
    );
    expect(cloudwatch.commandCalls(SetAlarmStateCommand).at(-1)?.args[0].input.StateValue).toBe(
      'OK',
    );
  });

  it('waits a bounded time for the action, then fails and sets the alarm back', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [] });

    // Act
    const result = await run('--alarm-test');

    // Assess
    expect(result.code).toBe(1);
    expect(result.out[2]).toMatch(/no action outcome within 60 s/);
    expect(cloudwatch.commandCalls(DescribeAlarmHistoryCommand)).toHaveLength(
      ALARM_HISTORY_ATTEMPTS,
    );
    expect(cloudwatch.commandCalls(SetAlarmStateCommand).at(-1)?.args[0].input.StateValue).toBe(
      'OK',
    );
  });

  it('does not touch an alarm that is not deployed', async () => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    // Act
    const result = await run('--alarm-test');

    // Assess
    expect(result.out[2]).toBe(
      `FAIL  alerting path ${ALARM}: alarm not deployed: deploy the control plane stack`,
    );
    expect(cloudwatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });
});
