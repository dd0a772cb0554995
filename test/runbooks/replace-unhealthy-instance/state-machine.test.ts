import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReplaceUnhealthyInstance } from '../../../runbooks/replace-unhealthy-instance/state-machine.js';
import { REPLACEMENT_POLL_SECONDS } from '../../../runbooks/replace-unhealthy-instance/state-machine.js';
import { INSTANCE_REPLACEMENT_BUDGET } from '../../../runbooks/replace-unhealthy-instance/steps.js';
import {
  definitionOf,
  expectOnlyStateMachineReadsGuardrails,
  GROUP_NAME,
  runLocally,
  type SynthesizedRunbook,
  TARGET_GROUP_ARN,
  taskError,
} from '../support.js';
import { callsOf, incidentOf, NOW, reportsOf, storedIncident, type World } from '../world.js';
import { ALARM, OLD, REPLACED, synth, world } from './harness.js';

/**
 * What only replace-unhealthy-instance does; the contract every runbook keeps (dry-run,
 * guardrails, throttling, escalation, bad input…) is checked by ../contract.test.ts.
 */

/** A replacement of `resourceId` under a budget of `maxPerHour`, as the ledger counts it. */
const replacement = (maxPerHour: number, resourceId = OLD) => ({
  budget: INSTANCE_REPLACEMENT_BUDGET,
  maxPerHour,
  resourceId,
  cooldownMinutes: 15,
});

describe('runbook replace-unhealthy-instance', () => {
  let synthesized: SynthesizedRunbook<ReplaceUnhealthyInstance>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synth();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('polls for at most ~15 minutes with waits of 15, 30, then 60 seconds', () => {
      // Assess
      expect(REPLACEMENT_POLL_SECONDS.slice(0, 3)).toEqual([15, 30, 60]);
      expect(Math.max(...REPLACEMENT_POLL_SECONDS)).toBe(60);
      const total = REPLACEMENT_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      // Longer than grace 300 s + 3 × 10 s unhealthy threshold + a launch; shorter than the run timeout.
      expect(total).toBeGreaterThan(300 + 30 + 180);
      expect(total).toBeLessThanOrEqual(15 * 60);
    });

    it('lets the state machine mark instances Unhealthy in the web group only', () => {
      // Assess
      synthesized.template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'autoscaling:SetInstanceHealth',
              Resource: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([
                    Match.stringLikeRegexp(
                      `:autoScalingGroup:\\*:autoScalingGroupName/${GROUP_NAME}$`,
                    ),
                  ]),
                ],
              },
            }),
          ]),
        },
      });
      const policies = synthesized.template.findResources('AWS::IAM::Policy');
      const statementsWith = (action: string) =>
        Object.values(policies).flatMap((policy) =>
          (
            policy.Properties.PolicyDocument.Statement as {
              Action: string | string[];
              Resource: unknown;
            }[]
          ).filter((statement) => [statement.Action].flat().includes(action)),
        );
      expect(statementsWith('autoscaling:SetInstanceHealth')).toHaveLength(1);
      // ListZonalShifts is a List action without resource-level permissions (Service
      // Authorization Reference, arc-zonal-shift): `*`, read-only, the state machine's only ARC action.
      expect(statementsWith('arc-zonal-shift:ListZonalShifts')).toEqual([
        expect.objectContaining({ Resource: '*' }),
      ]);
      expect(
        Object.values(policies).flatMap((policy) =>
          (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
            .flatMap((statement) => [statement.Action].flat())
            .filter((action) => action.startsWith('arc-zonal-shift:')),
        ),
      ).toEqual(['arc-zonal-shift:ListZonalShifts']);
      expectOnlyStateMachineReadsGuardrails(synthesized);
    });
  });

  describe('local execution', () => {
    let w: World;
    beforeEach(() => {
      w = world();
    });

    it('marks the instance Unhealthy and resolves the incident once the replacement serves', async () => {
      // Act
      const run = await runLocally(
        definition,
        { instanceId: OLD, reason: 'memory leak' },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([
        { InstanceId: OLD, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false },
      ]);
      expect(callsOf(w, 'DescribeGroup')).toEqual([
        { AutoScalingGroupNames: [GROUP_NAME] },
        { AutoScalingGroupNames: [GROUP_NAME] },
      ]);
      expect(callsOf(w, 'DescribeTargets')[0]).toEqual({ TargetGroupArn: TARGET_GROUP_ARN });
      const [report] = reportsOf(w);
      expect(report).toMatchObject({
        at: 'ReportSucceeded',
        outcome: 'succeeded',
        target: { type: 'ec2-instance', id: OLD },
        detail: `${OLD} was replaced: 3 of 3 desired instances are InService and Healthy, 3 targets healthy.`,
      });
      const incident = await incidentOf(w);
      expect(incident.status).toBe('resolved');
      expect(incident.timeline.map((entry) => entry.type)).toEqual([
        'decision',
        'runbook',
        'status',
        'runbook',
        'status',
        'alert',
      ]);
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
      await expect(w.ledger.peek(replacement(9), NOW)).resolves.toMatchObject({
        allowed: false,
        blockedBy: 'cooldown',
      });
    });

    it('given only the group, finds its worst instance by memory (Metrics Insights) and replaces that one', async () => {
      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM, reason: 'memory outlier' },
        w.overrides,
      );

      // Assess: sampled, asked CloudWatch, then the usual path with the instance it found.
      expect(run.status).toBe('succeeded');
      expect(w.trace.slice(0, 5)).toEqual([
        'FindWorstInstance',
        'CheckAlarm',
        'ListZonalShifts',
        'ReadGuardrails',
        'GuardrailCheck',
      ]);
      expect(callsOf(w, 'FindWorstInstance')).toEqual([
        {
          MetricDataQueries: [
            {
              Id: 'worst',
              Expression: `SELECT MAX(mem_used_percent) FROM SCHEMA("Rebound/WebTier", AutoScalingGroupName, InstanceId) WHERE AutoScalingGroupName = '${GROUP_NAME}' GROUP BY InstanceId ORDER BY MAX() DESC LIMIT 1`,
              Period: 60,
            },
          ],
          // The sampled window: from the run's start to the query (after SampleMemory).
          StartTime: expect.any(String),
          EndTime: '2025-01-01T12:02:00Z',
        },
      ]);
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([
        { InstanceId: OLD, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false },
      ]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          target: { type: 'ec2-instance', id: OLD },
        }),
      ]);
    });

    it('given only the group and no instance reporting memory, reports skipped for the group and touches nothing', async () => {
      // Prepare
      w = world({ worstInstances: [] });

      // Act
      const run = await runLocally(
        definition,
        { autoScalingGroupName: GROUP_NAME, alarmName: ALARM },
        w.overrides,
      );

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'GuardrailCheck')).toEqual([]);
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportNoInstance',
          outcome: 'skipped',
          target: { type: 'auto-scaling-group', id: GROUP_NAME },
          detail: `No instance of ${GROUP_NAME} reported mem_used_percent in the 120 s sampled: nothing to replace.`,
        }),
      ]);
    });

    it.each([
      ['both an instance and the group', { instanceId: OLD, autoScalingGroupName: GROUP_NAME }],
      ['neither an instance nor the group', { reason: 'which one?' }],
    ])('refuses %s (exactly one of the two)', async (_name, input) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'InvalidInput',
        cause:
          'input.instanceId is required unless autoScalingGroupName is given, and only then; it must be an EC2 instance id such as i-0123456789abcdef0',
      });
      expect(w.trace).toEqual([]);
    });

    it('skips an instance whose alarm is OK again, without touching it', async () => {
      // Prepare
      w = world({ alarmState: 'OK' });

      // Act
      const run = await runLocally(definition, { instanceId: OLD, alarmName: ALARM }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'CheckAlarm')).toEqual([
        { AlarmNames: [ALARM], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      ]);
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      const [report] = reportsOf(w);
      expect(report).toMatchObject({ at: 'ReportSkipped', outcome: 'skipped' });
      expect(report?.detail).toMatch(/already healthy/);
      expect((await incidentOf(w)).status).toBe('open');
    });

    it('leaves an instance alone while a zonal shift avoids its AZ (issue 10 #9)', async () => {
      // Prepare: a shift of the web group away from us-east-1a (use1-az1), where OLD runs.
      const groupArn = `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${GROUP_NAME}`;
      w = world({
        activeShifts: [
          { ZonalShiftId: 'shift-1', AwayFrom: 'use1-az1', ResourceIdentifier: groupArn },
        ],
      });

      // Act
      const run = await runLocally(definition, { instanceId: OLD, alarmName: ALARM }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(w.trace.slice(0, 4)).toEqual([
        'CheckAlarm',
        'ListZonalShifts',
        'ReadGuardrails',
        'GuardrailCheck',
      ]);
      expect(callsOf(w, 'ListZonalShifts')).toEqual([{ Status: 'ACTIVE' }]);
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSkipped',
          detail: `${OLD} runs in an AZ event: zonal shift shift-1 moves ${groupArn} away from us-east-1a (use1-az1); a replacement could launch into that AZ, so ${OLD} stays until the AZ recovers`,
        }),
      ]);
    });

    it('skips an instance that has already left the group', async () => {
      // Prepare
      w = world({ fleet: REPLACED });

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'ReportSkipped', detail: expect.stringMatching(/gone/) }),
      ]);
    });

    it('escalates any failed task with its error, recording the run even without an incident', async () => {
      // Prepare
      w = world({
        guardrailCheck: () => {
          throw taskError('Lambda.Unknown', 'the guardrail function crashed');
        },
      });

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: 'Lambda.Unknown' });
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      const [report] = reportsOf(w);
      expect(report).toMatchObject({
        at: 'Escalate',
        target: { type: 'ec2-instance', id: OLD },
      });
      expect(w.alerts).toEqual([expect.objectContaining({ kind: 'escalation' })]);
      // The run failed before any incident existed: the report recorded one, failed.
      const incident = await storedIncident(w, w.alerts[0]?.incidentId ?? '');
      expect(incident.status).toBe('failed');
      expect(incident.timeline).toContainEqual(
        expect.objectContaining({
          type: 'runbook',
          status: 'failed',
          detail: 'Lambda.Unknown: the guardrail function crashed',
        }),
      );
    });

    it('fails with InvalidInput when the guardrail rejects an id the Choice let through', async () => {
      // Act
      const run = await runLocally(definition, { instanceId: 'i-xyz' }, w.overrides);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: 'InvalidInput' });
      expect(run.status === 'failed' && run.cause).toMatch(
        /EC2 instance id such as i-0123456789abcdef0/,
      );
      expect(reportsOf(w)).toEqual([]);
    });
  });
});
