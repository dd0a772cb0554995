import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import {
  resolveDeployed,
  type SynthesizedControlPlane,
  synthControlPlane,
  TEST_ACCOUNT,
} from './synth-control-plane.js';
import { onlyResource, resourcesOf } from './synth-shop.js';

const RUNBOOK_NAMES = RUNBOOKS.map((row) => row.name);

/**
 * The recovery checks' wiring (issue 11, section 2): a schedule group, the role Scheduler invokes
 * triage with (least privilege, trusted for this account and group only) and triage's right to
 * create and delete checks in that group and to pass that role to Scheduler alone.
 */

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
}
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

let synthesized: SynthesizedControlPlane;
beforeAll(() => {
  synthesized = synthControlPlane();
});

/** Every statement of the inline policies attached to the role with logical id `roleId`. */
const statementsOfRole = (roleId: string): Statement[] =>
  resourcesOf<{ Roles: unknown[]; PolicyDocument: { Statement: Statement[] } }>(
    synthesized.template,
    'AWS::IAM::Policy',
  )
    .filter(({ props }) => props.Roles.some((role) => JSON.stringify(role).includes(roleId)))
    .flatMap(({ props }) => props.PolicyDocument.Statement);

const roleIdOfFunction = (functionName: string): string => {
  const fn = onlyResource<{ Role: { 'Fn::GetAtt': [string, string] } }>(
    synthesized.template,
    'AWS::Lambda::Function',
    { FunctionName: functionName },
  );
  return fn.props.Role['Fn::GetAtt'][0];
};

const schedulerRole = () =>
  onlyResource<{ AssumeRolePolicyDocument: { Statement: Statement[] } }>(
    synthesized.template,
    'AWS::IAM::Role',
    {
      Description:
        'EventBridge Scheduler invokes triage with this role when a recovery check is due',
    },
  );

describe('recovery checks', () => {
  it('has a schedule group for the checks and tells triage where and how to schedule them', () => {
    onlyResource(synthesized.template, 'AWS::Scheduler::ScheduleGroup', {
      Name: 'rebound-dev-recovery-checks',
    });
    const triage = onlyResource<{ Environment: { Variables: Record<string, unknown> } }>(
      synthesized.template,
      'AWS::Lambda::Function',
      { FunctionName: 'rebound-dev-triage' },
    );
    const variables = triage.props.Environment.Variables;
    expect(resolveDeployed(variables.RECOVERY_CHECK_GROUP, synthesized)).toBe(
      'rebound-dev-recovery-checks',
    );
    expect(resolveDeployed(variables.RECOVERY_CHECK_FUNCTION_ARN, synthesized)).toBe(
      `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:rebound-dev-triage`,
    );
    expect(variables.RECOVERY_CHECK_ROLE_ARN).toEqual({
      'Fn::GetAtt': [schedulerRole().id, 'Arn'],
    });
    expect(variables.RECOVERY_CHECK_DLQ_ARN).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^TriageDeadLettersQueue/), 'Arn'],
    });
  });

  it('lets only Scheduler assume the role, for this account and this group', () => {
    const [trust] = schedulerRole().props.AssumeRolePolicyDocument.Statement;
    expect(trust).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'scheduler.amazonaws.com' },
    });
    expect(resolveDeployed(trust?.Condition, synthesized)).toEqual({
      StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
      ArnLike: {
        'aws:SourceArn': `arn:aws:scheduler:us-east-1:${TEST_ACCOUNT}:schedule/rebound-dev-recovery-checks/*`,
      },
    });
  });

  it('lets the role invoke triage and dead-letter into its queue, nothing else', () => {
    const statements = statementsOfRole(schedulerRole().id);
    const actions = statements.flatMap(actionsOf).sort();
    expect(actions.filter((action) => !action.startsWith('kms:'))).toEqual([
      'lambda:InvokeFunction',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    const invoke = statements.find((statement) =>
      actionsOf(statement).includes('lambda:InvokeFunction'),
    );
    expect(resolveDeployed(invoke?.Resource, synthesized)).toBe(
      `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:rebound-dev-triage`,
    );
  });

  it('lets triage create and delete checks in its group and pass the role to Scheduler only', () => {
    const statements = statementsOfRole(roleIdOfFunction('rebound-dev-triage'));
    const scheduling = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('scheduler:')),
    );
    expect(scheduling.map((statement) => actionsOf(statement).sort())).toEqual([
      ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
    ]);
    expect(resolveDeployed(scheduling[0]?.Resource, synthesized)).toBe(
      `arn:aws:scheduler:us-east-1:${TEST_ACCOUNT}:schedule/rebound-dev-recovery-checks/*`,
    );
    const passRole = statements.filter((statement) =>
      actionsOf(statement).includes('iam:PassRole'),
    );
    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [schedulerRole().id, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it.each(RUNBOOK_NAMES)(
    'lets the %s report schedule a check in the group (no delete) and pass the role only',
    (runbook) => {
      // Prepare
      const functionName = `rebound-dev-${runbook}-report`;
      const report = onlyResource<{ Environment: { Variables: Record<string, unknown> } }>(
        synthesized.template,
        'AWS::Lambda::Function',
        { FunctionName: functionName },
      );
      const statements = statementsOfRole(roleIdOfFunction(functionName));

      // Act
      const scheduling = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('scheduler:')),
      );
      const passRole = statements.filter((statement) =>
        actionsOf(statement).includes('iam:PassRole'),
      );

      // Assess
      const variables = report.props.Environment.Variables;
      expect(resolveDeployed(variables.RECOVERY_CHECK_GROUP, synthesized)).toBe(
        'rebound-dev-recovery-checks',
      );
      expect(resolveDeployed(variables.RECOVERY_CHECK_FUNCTION_ARN, synthesized)).toBe(
        `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:rebound-dev-triage`,
      );
      expect(variables.RECOVERY_CHECK_ROLE_ARN).toEqual({
        'Fn::GetAtt': [schedulerRole().id, 'Arn'],
      });
      expect(variables.RECOVERY_CHECK_DLQ_ARN).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^TriageDeadLettersQueue/), 'Arn'],
      });
      expect(scheduling.map((statement) => actionsOf(statement))).toEqual([
        ['scheduler:CreateSchedule'],
      ]);
      expect(resolveDeployed(scheduling[0]?.Resource, synthesized)).toBe(
        `arn:aws:scheduler:us-east-1:${TEST_ACCOUNT}:schedule/rebound-dev-recovery-checks/*`,
      );
      expect(passRole).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [schedulerRole().id, 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
    },
  );
});
