import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALARM_CHECKS,
  CAPACITY_POLL_SECONDS,
  RUN_TIMEOUT,
  type ScaleOut,
} from '../../../runbooks/scale-out/state-machine.js';
import {
  definitionOf,
  EXECUTION,
  GROUP_NAME,
  NAME_PREFIX,
  runLocally,
  type SynthesizedRunbook,
  TARGET_GROUP_ARN,
  taskError,
} from '../support.js';
import { callsOf, expectRefusedBy, incidentOf, NOW, reportsOf, type World } from '../world.js';
import { ALARM, AT_MAX, NORMAL_MAX, SCHEDULE_NAME, synth, world } from './harness.js';

/**
 * What only scale-out does; the contract every runbook keeps (dry-run, guardrails, throttling,
 * escalation, bad input…) is checked by ../contract.test.ts.
 */

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
const statementsOf = (synthesized: SynthesizedRunbook<ScaleOut>, rolePrefix: string) =>
  Object.entries(synthesized.template.findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith(rolePrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
const actionsOf = (statements: readonly Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat()).sort();
/** A Fn::Join ARN as one string with `${Partition}` for the partition. */
const arnOf = (resource: unknown): string => {
  if (typeof resource === 'string') return resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return JSON.stringify(resource);
  return join[1]
    .map((part) =>
      typeof part === 'string'
        ? part
        : (part as { Ref?: string }).Ref === 'AWS::Partition'
          ? `\${Partition}`
          : JSON.stringify(part),
    )
    .join(join[0]);
};
const GROUP_ARN = `arn:\${Partition}:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${GROUP_NAME}`;

describe('runbook scale-out', () => {
  let synthesized: SynthesizedRunbook<ScaleOut>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synth();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('checks capacity every 60 s for ~15 min, then the alarm for ~5 min, inside the run timeout', () => {
      // Assess
      expect(new Set(CAPACITY_POLL_SECONDS)).toEqual(new Set([60]));
      const capacity = CAPACITY_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      const alarm = (ALARM_CHECKS - 1) * 60;
      // launch + boot + 2 × 10 s healthy threshold fit well inside; ~20 min in all.
      expect(capacity).toBe(15 * 60);
      expect(capacity + alarm).toBe(20 * 60);
      // Waits plus every capacity check at its 60 s task timeout still end before the run does.
      expect(capacity + alarm + CAPACITY_POLL_SECONDS.length * 60).toBeLessThan(
        RUN_TIMEOUT.toSeconds(),
      );
    });

    it("gives the state machine role only the runbook's calls, each on its resource", () => {
      // Act
      const statements = statementsOf(synthesized, 'ScaleOutRunbookStateMachineRole');
      const byAction = (action: string) =>
        statements.filter((statement) => [statement.Action].flat().includes(action));

      // Assess
      expect(actionsOf(statements)).toEqual(
        [
          'autoscaling:UpdateAutoScalingGroup',
          'cloudwatch:DescribeAlarms',
          'iam:PassRole',
          'lambda:InvokeFunction',
          'lambda:InvokeFunction',
          'scheduler:CreateSchedule',
          // CDK's own, for logging and tracing:
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
      expect(byAction('autoscaling:UpdateAutoScalingGroup').map((s) => arnOf(s.Resource))).toEqual([
        GROUP_ARN,
      ]);
      expect(byAction('cloudwatch:DescribeAlarms').map((s) => arnOf(s.Resource))).toEqual([
        `arn:\${Partition}:cloudwatch:us-east-1:123456789012:alarm:rebound-test-*`,
      ]);
      expect(byAction('scheduler:CreateSchedule').map((s) => arnOf(s.Resource))).toEqual([
        `arn:\${Partition}:scheduler:us-east-1:123456789012:schedule/default/rebound-test-scale-out-return-*`,
      ]);
      expect(byAction('iam:PassRole')).toEqual([
        {
          Action: 'iam:PassRole',
          Effect: 'Allow',
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ScaleOutReturnRole/), 'Arn'] },
        },
      ]);
    });

    it('lets the return role, assumed by EventBridge Scheduler only, update the web group only', () => {
      // Act
      const statements = statementsOf(synthesized, 'ScaleOutReturnRole');

      // Assess
      synthesized.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
            },
          ],
        },
      });
      expect(statements.map((s) => [[s.Action].flat(), arnOf(s.Resource)])).toEqual([
        [['autoscaling:UpdateAutoScalingGroup'], GROUP_ARN],
        [
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          'arn:aws:sqs:us-east-1:123456789012:rebound-test-dead-letters',
        ],
      ]);
    });

    it('gives the step function read-only Describe calls, the guardrails and the incidents table', () => {
      // Act
      const statements = statementsOf(synthesized, 'ScaleOutRunbookStepRole');
      const actions = actionsOf(statements);

      // Assess
      expect(actions).toEqual(
        expect.arrayContaining([
          'autoscaling:DescribeAutoScalingGroups',
          'elasticloadbalancing:DescribeTargetHealth',
          'ssm:GetParametersByPath',
          'dynamodb:PutItem',
        ]),
      );
      expect(actions.filter((action) => /^(autoscaling|scheduler|iam|ec2):/.test(action))).toEqual([
        'autoscaling:DescribeAutoScalingGroups',
      ]);
      synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'rebound-test-scale-out-step',
        Environment: {
          Variables: Match.objectLike({
            AUTO_SCALING_GROUP_NAME: GROUP_NAME,
            TARGET_GROUP_ARN,
            NORMAL_MAX_CAPACITY: String(NORMAL_MAX),
            NAME_PREFIX,
            GUARDRAILS_PATH: '/rebound/test/guardrails/',
          }),
        },
      });
    });
  });

  describe('local execution', () => {
    let w: World;
    beforeEach(() => {
      w = world();
    });

    it('raises max and desired, waits for the capacity and the alarm, schedules the return and resolves', async () => {
      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM, reason: 'Black Friday' },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'CheckAlarm')).toEqual([
        { AlarmNames: [ALARM], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      ]);
      expect(callsOf(w, 'RaiseCapacity')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 9, DesiredCapacity: 9 },
      ]);
      expect(callsOf(w, 'CapacityVerify')).toHaveLength(2);
      expect(callsOf(w, 'ReadAlarm')).toHaveLength(2);
      expect(callsOf(w, 'ScheduleReturn')).toEqual([
        {
          Name: SCHEDULE_NAME,
          Description: `Rebound scale-out ${EXECUTION.Name}: back to the normal maximum`,
          ScheduleExpression: 'at(2025-01-01T13:00:00)',
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: 'arn:aws:scheduler:::aws-sdk:autoscaling:updateAutoScalingGroup',
            RoleArn: expect.stringContaining('ScaleOutReturnRole'),
            Input: expect.any(String),
            DeadLetterConfig: {
              Arn: 'arn:aws:sqs:us-east-1:123456789012:rebound-test-dead-letters',
            },
          },
        },
      ]);
      const [schedule] = callsOf(w, 'ScheduleReturn') as { Target: { Input: string } }[];
      expect(JSON.parse(schedule?.Target.Input ?? '')).toEqual({
        AutoScalingGroupName: GROUP_NAME,
        MaxSize: NORMAL_MAX,
      });
      const reports = reportsOf(w);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        at: 'ReportSucceeded',
        outcome: 'succeeded',
        target: { type: 'auto-scaling-group', id: GROUP_NAME },
        detail: `9 of 9 needed instances serve in ${GROUP_NAME} (InService, Healthy and healthy in the target group; max raised 6→9, desired now 9); alarm ${ALARM} is OK; the return to max ${NORMAL_MAX} is scheduled at 2025-01-01T13:00:00 UTC (schedule ${SCHEDULE_NAME}).`,
      });
      const incident = await incidentOf(w);
      expect(incident.status).toBe('resolved');
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
      await expect(
        w.ledger.peek(
          { budget: 'scale-out', maxPerHour: 9, resourceId: GROUP_NAME, cooldownMinutes: 15 },
          NOW,
        ),
      ).resolves.toMatchObject({ allowed: false, blockedBy: 'cooldown' });
    });

    it('without an alarm ends once the new capacity serves', async () => {
      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'CheckAlarm')).toEqual([]);
      expect(callsOf(w, 'ReadAlarm')).toEqual([]);
      expect(callsOf(w, 'ScheduleReturn')).toHaveLength(1);
      expect(reportsOf(w)[0]?.detail).toContain('; no pressure alarm was named; the return');
    });

    it('treats an existing schedule of the same run as done (a retried CreateSchedule)', async () => {
      // Prepare
      w = world({
        scheduleReturn: () => {
          throw taskError(
            'Scheduler.ConflictException',
            `Schedule ${SCHEDULE_NAME} already exists.`,
          );
        },
      });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ScheduleReturn')).toHaveLength(1);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('refuses when the ceiling is reached, without touching the group', async () => {
      // Prepare
      w = world({ group: { ...AT_MAX, maxSize: 24, desiredCapacity: 24 } });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      expectRefusedBy(w, 'ceiling');
    });

    it.each([
      ['the alarm is OK again', { alarmAtCheck: 'OK' }, /alarm .* is OK again/],
      [
        'target tracking still has room',
        { group: { ...AT_MAX, desiredCapacity: 4 } },
        /desired 4 of max 6; it scales by itself/,
      ],
    ])('skips when %s', async (_case, options, reason) => {
      // Prepare
      w = world(options);

      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      const [report] = reportsOf(w);
      expect(report).toMatchObject({ at: 'ReportSkipped', outcome: 'skipped' });
      expect(report?.detail).toMatch(reason);
    });

    it('escalates when the alarm does not clear although the new capacity serves', async () => {
      // Prepare
      w = world({ alarmReads: ['ALARM'] });

      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM },
        w.overrides,
      );

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'AlarmNotCleared',
        cause: expect.stringMatching(
          new RegExp(`^Alarm ${ALARM} is still not OK \\(state \\["ALARM"\\]\\) after 6 checks`),
        ),
      });
      expect(callsOf(w, 'ReadAlarm')).toHaveLength(ALARM_CHECKS);
      expect(callsOf(w, 'ScheduleReturn')).toEqual([]);
      const [report] = reportsOf(w);
      expect(report).toMatchObject({ at: 'Escalate', outcome: 'failed' });
      expect(report?.state.error?.Error).toBe('AlarmNotCleared');
    });

    it('fails with InvalidInput when the named alarm does not exist', async () => {
      // Prepare
      w = world({ alarmAtCheck: null });

      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: 'rebound-test-typo' },
        w.overrides,
      );

      // Assess
      expect(run).toEqual({
        status: 'failed',
        error: 'InvalidInput',
        cause: 'input.alarmName: there is no alarm named rebound-test-typo',
      });
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      expect(reportsOf(w)).toEqual([]);
    });
  });
});
