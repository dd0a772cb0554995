import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALARM_CHECKS,
  CAPACITY_POLL_SECONDS,
  RETURN_CHECK_SECONDS,
  RUN_TIMEOUT,
  type ScaleOut,
} from '../../../runbooks/scale-out/state-machine.js';
import {
  definitionOf,
  expectOnlyStateMachineReadsGuardrails,
  GROUP_NAME,
  runLocally,
  type SynthesizedRunbook,
  TARGET_GROUP_ARN,
} from '../support.js';
import { callsOf, expectRefusedBy, incidentOf, NOW, reportsOf, type World } from '../world.js';
import { ALARM, AT_MAX, CALMED, NORMAL_MAX, STILL_BUSY, synth, world } from './harness.js';

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
      // Waits plus every capacity check at its 60 s task timeout still end before the run does,
      // and so does holding the raised maximum: the first look after 1 h, then every 15 min.
      const hold = RETURN_CHECK_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      expect(RETURN_CHECK_SECONDS[0]).toBe(3600);
      expect(new Set(RETURN_CHECK_SECONDS.slice(1))).toEqual(new Set([900]));
      expect(hold).toBe(5 * 3600);
      expect(
        capacity +
          alarm +
          CAPACITY_POLL_SECONDS.length * 60 +
          hold +
          RETURN_CHECK_SECONDS.length * 3 * 60,
      ).toBeLessThan(RUN_TIMEOUT.toSeconds());
    });

    it("gives the state machine role only the runbook's calls, each on its resource", () => {
      // Act
      const statements = statementsOf(synthesized, 'ScaleOutRunbookStateMachineRole');
      const byAction = (action: string) =>
        statements.filter((statement) => [statement.Action].flat().includes(action));

      // Assess
      expect(actionsOf(statements)).toEqual(
        [
          'arc-zonal-shift:ListZonalShifts',
          'autoscaling:UpdateAutoScalingGroup',
          'cloudwatch:DescribeAlarms',
          'lambda:InvokeFunction',
          'lambda:InvokeFunction',
          // CDK's own, for logging and tracing:
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          'ssm:GetParameters',
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
      // A List action without resource-level permissions (Service Authorization Reference).
      expect(byAction('arc-zonal-shift:ListZonalShifts').map((s) => s.Resource)).toEqual(['*']);
    });

    it('gives the step function read-only Describe calls and the incidents table; the guardrails only to the state machine', () => {
      // Act
      const statements = statementsOf(synthesized, 'ScaleOutRunbookStepRole');
      const actions = actionsOf(statements);

      // Assess
      expect(actions).toEqual(
        expect.arrayContaining([
          'autoscaling:DescribeAutoScalingGroups',
          'elasticloadbalancing:DescribeTargetHealth',
          'dynamodb:PutItem',
        ]),
      );
      expectOnlyStateMachineReadsGuardrails(synthesized);
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

    it('raises max and desired, waits for the capacity and the alarm, resolves, then returns the maximum once the pressure has cleared', async () => {
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
      const reports = reportsOf(w);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        at: 'ReportSucceeded',
        outcome: 'succeeded',
        target: { type: 'auto-scaling-group', id: GROUP_NAME },
        detail: `9 of 9 needed instances serve in ${GROUP_NAME} (InService, Healthy and healthy in the target group; max raised 6→9, desired now 9); alarm ${ALARM} is OK; the maximum returns to at most ${NORMAL_MAX} once the pressure has cleared (checked from 60 min on, every 15 min, never during an AZ evacuation).`,
      });
      // An hour later: no shift, the alarm OK, desired down to 7: max 9→max(6, 7).
      expect(callsOf(w, 'ReturnShifts')).toEqual([{ Status: 'ACTIVE' }]);
      expect(callsOf(w, 'ReturnAlarm')).toHaveLength(1);
      expect(callsOf(w, 'ReturnMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: CALMED.desiredCapacity },
      ]);
      expect(w.trace.indexOf('ReportSucceeded')).toBeLessThan(w.trace.indexOf('ReturnShifts'));
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

    it('without an alarm returns the maximum once target tracking no longer needs it', async () => {
      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'CheckAlarm')).toEqual([]);
      expect(callsOf(w, 'ReadAlarm')).toEqual([]);
      expect(callsOf(w, 'ReturnAlarm')).toEqual([]);
      expect(reportsOf(w)[0]?.detail).toContain(
        '; no pressure alarm was named; the maximum returns',
      );
      expect(callsOf(w, 'ReturnMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: CALMED.desiredCapacity },
      ]);
    });

    it('holds the raised maximum while the pressure lasts, then returns it, never below desired (issue 10 #8)', async () => {
      // Prepare: at the first look target tracking still uses all 9, at the second the alarm
      // still fires, at the third desired is 5, below the normal maximum 6.
      w = world({
        groupAtReturn: [STILL_BUSY, CALMED, { ...CALMED, desiredCapacity: 5 }],
        alarmAtReturn: ['OK', 'ALARM', 'OK'],
      });

      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ReturnCheck')).toHaveLength(3);
      expect(callsOf(w, 'ReturnMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: NORMAL_MAX },
      ]);
    });

    it('never returns the maximum while an AZ evacuation shifts traffic (issue 10 #8)', async () => {
      // Prepare: az-evacuation's zonal shift is active at the first two looks.
      const shift = { ZonalShiftId: 'shift-1', AwayFrom: 'use1-az1', Status: 'ACTIVE' };
      w = world({ shiftsAtReturn: [[shift], [shift], []] });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ReturnShifts')).toHaveLength(3);
      expect(callsOf(w, 'ReturnMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: CALMED.desiredCapacity },
      ]);
      expect(w.trace.filter((state) => state === 'ReturnMaximum')).toHaveLength(1);
      expect(w.trace.lastIndexOf('ReturnShifts')).toBeLessThan(w.trace.indexOf('ReturnMaximum'));
    });

    it("leaves a maximum someone else changed meanwhile (an AZ evacuation's) as it is (issue 10 #8)", async () => {
      // Prepare: az-evacuation raised the maximum to 12 after this run raised it to 9.
      w = world({ groupAtReturn: [{ ...CALMED, maxSize: 12 }] });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ReturnMaximum')).toEqual([]);
    });

    it('escalates when the pressure outlasts every look, leaving the maximum raised', async () => {
      // Prepare
      w = world({ groupAtReturn: [STILL_BUSY] });

      // Act
      const run = await runLocally(definition, { autoScalingGroupName: GROUP_NAME }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ReturnHeldTooLong',
        cause: expect.stringContaining(
          'the pressure lasts: target tracking still uses the raised maximum (desired 9 of max 9)',
        ),
      });
      expect(callsOf(w, 'ReturnCheck')).toHaveLength(RETURN_CHECK_SECONDS.length);
      expect(callsOf(w, 'ReturnMaximum')).toEqual([]);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded', 'Escalate']);
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
