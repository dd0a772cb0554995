import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import type { FleetInstance, FleetSnapshot } from '../../../functions/lib/runbook/fleet.js';
import {
  ALARM_CHECKS,
  CAPACITY_POLL_SECONDS,
  RUN_TIMEOUT,
  ScaleOut,
} from '../../../runbooks/scale-out/state-machine.js';
import {
  checkScaleOut,
  type GroupCapacity,
  parseScaleOutEvent,
  returnScheduleName,
  verifyScaleOut,
} from '../../../runbooks/scale-out/steps.js';
import {
  CATCH_ALL_TO_ESCALATE,
  definitionOf,
  EXECUTION,
  expectEveryTaskBoundedAndEscalating,
  expectObservableStateMachine,
  expectOneFindingPerReason,
  expectReasonedNagAcknowledgements,
  fake,
  GROUP_NAME,
  NAME_PREFIX,
  runLocally,
  type SynthesizedRunbook,
  synthRunbookWith,
  TARGET_GROUP_ARN,
  taskError,
  webTier,
} from '../support.js';
import {
  callsOf,
  checkDepsOf,
  expectInvalidInputCallingNothing,
  expectRefusedBy,
  incidentOf,
  NOW,
  newStores,
  REPORT_STATES,
  reportsOf,
  scripted,
  type World,
  worldOf,
} from '../world.js';

const ALARM = 'rebound-test-web-cpu-high';
const NORMAL_MAX = 6;
const SCHEDULE_NAME = returnScheduleName(NAME_PREFIX, EXECUTION.Name);

/** Stuck at its maximum: desired 6 of max 6. With step 3 and ceiling 24: max 9, desired 9. */
const AT_MAX: GroupCapacity = { groupName: GROUP_NAME, minSize: 2, maxSize: 6, desiredCapacity: 6 };

const ids = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `i-0${String(from + i).padStart(16, '0')}`);
const inService = (instanceId: string): FleetInstance => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
});
/** `serving` instances serving, `pending` more still launching, desired 9. */
const fleetOf = (serving: number, pending: number): FleetSnapshot => {
  const up = ids(serving);
  return {
    groupName: GROUP_NAME,
    desiredCapacity: 9,
    instances: [
      ...up.map(inService),
      ...ids(pending, serving).map((instanceId) => ({
        instanceId,
        lifecycleState: 'Pending',
        healthStatus: 'Healthy',
      })),
    ],
    healthyTargetIds: up,
  };
};
const SCALING = fleetOf(6, 3);
const SCALED = fleetOf(9, 0);

const alarmAnswer = (state: string) => ({
  MetricAlarms: [{ AlarmName: ALARM, StateValue: state }],
  CompositeAlarms: [],
});

const synthScaleOut = (): SynthesizedRunbook<ScaleOut> =>
  synthRunbookWith(
    (stack, shared) =>
      new ScaleOut(stack, 'ScaleOut', {
        namePrefix: NAME_PREFIX,
        stage: 'test',
        ...webTier(stack),
        normalMaxCapacity: NORMAL_MAX,
        incidents: shared.incidents,
        alertsTopic: shared.alertsTopic,
        deadLetterQueue: shared.deadLetterQueue,
      }),
  );

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  readonly group?: GroupCapacity;
  /** Alarm state CheckAlarm sees; null: no such alarm. */
  readonly alarmAtCheck?: string | null;
  /** Alarm state at each ReadAlarm (the last one repeats). */
  readonly alarmReads?: readonly string[];
  /** Fleet at each capacity check (the last one repeats). */
  readonly polls?: readonly FleetSnapshot[];
  readonly raiseCapacity?: (input: unknown, call: number) => unknown;
  readonly scheduleReturn?: (input: unknown, call: number) => unknown;
}

/**
 * Every Task overridden by its state name. Check and CapacityVerify run the step Lambda's real
 * logic over in-memory stores (payloads validated by its own schema); the SDK integrations
 * answer like AWS would, so ResultSelectors, Choice rules and the Parallel's Retry run for real.
 */
const world = (options: WorldOptions = {}): World => {
  const stores = newStores();
  const polls = options.polls ?? [SCALING, SCALED];
  const alarmReads = options.alarmReads ?? ['ALARM', 'OK'];

  const step = () =>
    fake(async (input, call) => {
      const event = parseScaleOutEvent(input);
      return event.step === 'check'
        ? checkScaleOut(event, {
            ...checkDepsOf(stores, options.guardrails),
            group: { capacity: async () => options.group ?? AT_MAX },
            groupName: GROUP_NAME,
            normalMax: NORMAL_MAX,
          })
        : verifyScaleOut(event, {
            fleet: { snapshot: async () => scripted(polls, call) ?? SCALED },
            clock: stores.clock,
            namePrefix: NAME_PREFIX,
          });
    });
  return worldOf(stores, {
    tasks: {
      CheckAlarm: fake(() =>
        options.alarmAtCheck === null
          ? { MetricAlarms: [], CompositeAlarms: [] }
          : alarmAnswer(options.alarmAtCheck ?? 'ALARM'),
      ),
      Check: step(),
      RaiseCapacity: fake(options.raiseCapacity ?? (() => ({}))),
      CapacityVerify: step(),
      ReadAlarm: fake((_input, call) => alarmAnswer(scripted(alarmReads, call) ?? 'OK')),
      ScheduleReturn: fake(
        options.scheduleReturn ?? (() => ({ ScheduleArn: `arn:aws:scheduler:::${SCHEDULE_NAME}` })),
      ),
    },
    reportStates: REPORT_STATES,
    waits: ['CapacityWait'],
    retrying: ['WaitForAlarm'],
  });
};

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
    synthesized = synthScaleOut();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs, tracing and a run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        'rebound-test-scale-out',
        RUN_TIMEOUT.toSeconds(),
      );
    });

    it('bounds every Task with a timeout and routes every top-level Task but Escalate to Escalate', () => {
      // Act
      const parallel = definition.States.WaitForAlarm as {
        Branches: { States: Record<string, { Type: string; TimeoutSeconds?: number }> }[];
        Catch: unknown[];
      };
      const branchTasks = parallel.Branches.flatMap((branch) =>
        Object.entries(branch.States).filter(([, state]) => state.Type === 'Task'),
      );

      // Assess
      expectEveryTaskBoundedAndEscalating(definition, [
        'CapacityVerify',
        'Check',
        'CheckAlarm',
        'Escalate',
        'RaiseCapacity',
        'ReportDryRun',
        'ReportRefused',
        'ReportSkipped',
        'ReportSucceeded',
        'ScheduleReturn',
      ]);
      // ReadAlarm lives in WaitForAlarm's branch: the Parallel's catch-all covers it.
      expect(branchTasks.map(([name]) => name)).toEqual(['ReadAlarm']);
      for (const [name, state] of branchTasks) {
        expect(state, name).toHaveProperty('TimeoutSeconds');
      }
      expect(parallel.Catch.at(-1)).toEqual(CATCH_ALL_TO_ESCALATE);
    });

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

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      const acknowledgements = expectReasonedNagAcknowledgements(synthesized.app);
      expectOneFindingPerReason(acknowledgements);
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

    it('in dry-run mode reports what it would do and makes no mutating call', async () => {
      // Prepare
      w = world({ guardrails: { mode: 'dry-run' } });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      expect(callsOf(w, 'ScheduleReturn')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          detail: `dry-run: would raise ${GROUP_NAME} max 6→9 and desired 6→9`,
        }),
      ]);
    });

    it.each([
      ['mode off', { guardrails: { mode: 'off' as const } }, 'mode-off'],
      ['runbook not enabled', { guardrails: { enabledRunbooks: [] } }, 'runbook-disabled'],
      [
        'the ceiling reached',
        { group: { ...AT_MAX, maxSize: 24, desiredCapacity: 24 } },
        'ceiling',
      ],
    ])('refuses with %s, without touching the group', async (_case, options, blockedBy) => {
      // Prepare
      w = world(options);

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      expectRefusedBy(w, blockedBy);
    });

    it('refuses when the scale-out budget is spent', async () => {
      // Prepare: two scale-outs this hour (budget 2), on other resources.
      for (const resourceId of ['a', 'b']) {
        await w.ledger.claim(
          { budget: 'scale-out', maxPerHour: 2, resourceId, cooldownMinutes: 15 },
          new Date(NOW.getTime() - 10 * 60_000),
        );
      }

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toEqual([]);
      expect(reportsOf(w)[0]?.state.guardrail?.blockedBy).toBe('budget');
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

    it('retries a throttled UpdateAutoScalingGroup, then carries on', async () => {
      // Prepare
      w = world({
        raiseCapacity: (_input, call) => {
          if (call === 1) throw taskError('AutoScaling.AutoScalingException', 'Rate exceeded');
          return {};
        },
      });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RaiseCapacity')).toHaveLength(2);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('escalates when the new capacity never serves, without scheduling the return', async () => {
      // Prepare: the new instances never leave Pending.
      w = world({ polls: [SCALING] });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'CapacityNotRecovered',
        cause: expect.stringContaining('6 of 9 needed instances serve'),
      });
      expect(callsOf(w, 'CapacityVerify')).toHaveLength(CAPACITY_POLL_SECONDS.length);
      expect(callsOf(w, 'ScheduleReturn')).toEqual([]);
      const reports = reportsOf(w);
      expect(reports).toEqual([expect.objectContaining({ at: 'Escalate', outcome: 'failed' })]);
      expect((await incidentOf(w)).status).toBe('failed');
      expect(w.alerts).toEqual([
        expect.objectContaining({ severity: 'critical', kind: 'escalation' }),
      ]);
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

    it.each([
      ['a missing group', {}, 'InvalidAutoScalingGroupName'],
      [
        'another group',
        { autoScalingGroupName: 'someone-else-web' },
        'InvalidAutoScalingGroupName',
      ],
      [
        'a malformed incident id',
        { autoScalingGroupName: GROUP_NAME, incidentId: 'INC-1' },
        'InvalidIncidentId',
      ],
      [
        'a foreign alarm',
        { autoScalingGroupName: GROUP_NAME, alarmName: 'someone-else' },
        'InvalidAlarmName',
      ],
      [
        'a reason that is not text',
        { autoScalingGroupName: GROUP_NAME, reason: 42 },
        'InvalidReason',
      ],
    ])('fails with InvalidInput on %s, calling nothing', async (_case, input, failState) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expectInvalidInputCallingNothing(w, definition, run, failState);
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
