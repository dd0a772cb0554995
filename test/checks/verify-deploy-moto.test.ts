import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateGuardrailReads, testAlertingPath } from '../../sandbox/verify-deploy/checks.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';

// verify-deploy's requests over the wire to moto_server, for the calls moto 5 implements:
// Lambda GetFunctionConfiguration (the role and GUARDRAILS_PATH it reads back) and CloudWatch
// DescribeAlarms / SetAlarmState (CloudWatch's protocol, the states it leaves). moto implements
// neither IAM SimulatePrincipalPolicy nor CloudWatch DescribeAlarmHistory nor Step Functions
// ValidateStateMachineDefinition: those stay mocked here and in verify-deploy.test.ts.

const ACCOUNT = '123456789012'; // moto's default account
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:rebound-moto-alerts`;
const ALARM = 'rebound-moto-guardrails-unreadable';
/** The smallest valid zip archive: an end-of-central-directory record. */
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...Array(18).fill(0)]);

let moto: MotoServer;
let lambda: LambdaClient;
let cloudwatch: CloudWatchClient;
let roleArn: string;

beforeAll(async () => {
  moto = await startMotoServer();
  lambda = new LambdaClient(moto.clientConfig);
  cloudwatch = new CloudWatchClient(moto.clientConfig);
  const role = await new IAMClient(moto.clientConfig).send(
    new CreateRoleCommand({
      RoleName: 'rebound-moto-triage-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  roleArn = role.Role?.Arn ?? '';
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'rebound-moto-triage',
      Runtime: 'nodejs20.x',
      Role: roleArn,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
      Environment: { Variables: { GUARDRAILS_PATH: '/rebound/moto/guardrails/' } },
    }),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'Rebound',
      MetricName: 'GuardrailReadFailures',
      Dimensions: [{ Name: 'GuardrailsPath', Value: '/rebound/moto/guardrails' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [TOPIC],
    }),
  );
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe('verify-deploy against moto_server', () => {
  it('reads the deployed reader back and simulates the read on the path its code sends', async () => {
    // Prepare: moto has no SimulatePrincipalPolicy; the IAM client alone is mocked.
    const iam = new IAMClient(moto.clientConfig);
    const iamMock = mockClient(iam);
    iamMock.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [{ EvalActionName: 'ssm:GetParametersByPath', EvalDecision: 'allowed' }],
    });

    // Act
    const results = await simulateGuardrailReads({ lambda, iam }, [
      { functionName: 'rebound-moto-triage', guardrailsPath: '/x/', grantedResources: [] },
    ]);

    // Assess: role and GUARDRAILS_PATH come from moto's answer, not from the synthesized app.
    expect(results).toEqual([
      expect.objectContaining({ status: 'ok', subject: 'rebound-moto-triage' }),
    ]);
    expect(iamMock).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: roleArn,
      ActionNames: ['ssm:GetParametersByPath'],
      ResourceArns: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/rebound/moto/guardrails`],
    });
    iamMock.restore();
  });

  it('says so when the reader is not deployed', async () => {
    // Act
    const results = await simulateGuardrailReads(
      { lambda, iam: new IAMClient(moto.clientConfig) },
      [{ functionName: 'rebound-moto-absent', guardrailsPath: '/x/', grantedResources: [] }],
    );

    // Assess
    expect(results).toEqual([
      expect.objectContaining({
        status: 'FAIL',
        detail: 'function not deployed in this account and region: deploy the control plane stack',
      }),
    ]);
  });

  it('sets the alarm to ALARM for the test and leaves it OK', async () => {
    // Prepare: DescribeAlarms and SetAlarmState go to moto; DescribeAlarmHistory (not in moto)
    // answers from what moto holds at that moment.
    const wire = new CloudWatchClient(moto.clientConfig);
    const client = new CloudWatchClient(moto.clientConfig);
    const mock = mockClient(client);
    mock
      .on(DescribeAlarmsCommand)
      .callsFake((input) => wire.send(new DescribeAlarmsCommand(input)));
    mock.on(SetAlarmStateCommand).callsFake((input) => wire.send(new SetAlarmStateCommand(input)));
    const statesSeen: (string | undefined)[] = [];
    mock.on(DescribeAlarmHistoryCommand).callsFake(async () => {
      const now = await wire.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));
      statesSeen.push(now.MetricAlarms?.[0]?.StateValue);
      return {
        AlarmHistoryItems: [
          { HistoryItemType: 'Action', HistorySummary: `Successfully executed action ${TOPIC}` },
        ],
      };
    });

    // Act
    const result = await testAlertingPath(client, ALARM, {
      sleep: async () => {},
      now: () => new Date(),
      attempts: 3,
      intervalMilliseconds: 1,
    });

    // Assess
    expect(result.status).toBe('ok');
    expect(statesSeen).toEqual(['ALARM']);
    const after = await wire.send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));
    expect(after.MetricAlarms?.[0]).toMatchObject({
      StateValue: 'OK',
      StateReason: 'npm run verify-deploy --alarm-test: test over',
    });
    mock.restore();
  });
});
