import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../../functions/lib/core/incident.js';
import {
  AZ_RECOVERY_POLL_SECONDS,
  type AzEvacuation,
  CONFIRM_POLL_SECONDS,
  EVACUATION_POLL_SECONDS,
  RUN_TIMEOUT,
} from '../../../runbooks/az-evacuation/state-machine.js';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
import {
  actionsBeyond,
  actionsOf,
  definitionOf,
  expectInvokesApprovalsStepAndReport,
  expectOnlyStateMachineReadsGuardrails,
  GROUP_NAME,
  resourcesOf,
  runLocally,
  type SynthesizedRunbook,
  statementsOfRole,
  TARGET_GROUP_ARN,
  taskError,
  withoutLoggingAndTracing,
} from '../support.js';
import {
  callsOf,
  expectInvalidInputCallingNothing,
  expectRefusedBy,
  reportsOf,
  storedIncident,
  type World,
} from '../world.js';
import {
  ALB_ARN,
  BEFORE,
  GROUP_ARN_LIVE,
  GROUP_SHIFT_ID,
  INCIDENT_ID,
  INPUT,
  MUTATING_STATES,
  SHIFT_ID,
  synth,
  world,
} from './harness.js';

/**
 * What only az-evacuation does; the contract every runbook keeps (dry-run, guardrails,
 * throttling, escalation, approvals, bad input…) is checked by ../contract.test.ts.
 */

const GROUP_ARN = `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${GROUP_NAME}`;
const mutatingCalls = (w: World) => MUTATING_STATES.flatMap((state) => callsOf(w, state));
const incidentOf = (w: World): Promise<Incident> => storedIncident(w, INCIDENT_ID);

describe('runbook az-evacuation', () => {
  let synthesized: SynthesizedRunbook<AzEvacuation>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synth();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('starts the shift with the plan, retrying throttling only, and treats a gone shift as ended', () => {
      // Act
      const start = definition.States.StartZonalShift as unknown as {
        Resource: string;
        Parameters: Record<string, unknown>;
        Retry: { ErrorEquals: string[] }[];
      };
      const end = definition.States.EndZonalShift as unknown as {
        Resource: string;
        Catch: { ErrorEquals: string[]; Next: string }[];
      };

      // Assess
      expect(start.Resource).toBe('arn:aws:states:::aws-sdk:arczonalshift:startZonalShift');
      expect(start.Parameters).toEqual({
        'ResourceIdentifier.$': '$.guardrail.plan.resourceIdentifier',
        'AwayFrom.$': '$.guardrail.plan.awayFrom',
        'ExpiresIn.$': '$.guardrail.plan.expiresIn',
        'Comment.$':
          "States.Format('Rebound az-evacuation for {}: {} impaired', $.guardrail.incidentId, $.availabilityZone)",
      });
      expect(start.Retry.map((retry) => retry.ErrorEquals)).toEqual([
        ['ArcZonalShift.ThrottlingException'],
      ]);
      expect(end.Resource).toBe('arn:aws:states:::aws-sdk:arczonalshift:cancelZonalShift');
      expect(end.Catch[0]).toMatchObject({
        ErrorEquals: ['ArcZonalShift.ResourceNotFoundException', 'ArcZonalShift.ConflictException'],
        Next: 'ShiftAlreadyEnded',
      });
    });

    it('checks the evacuation for ~20 min and the AZ until before the 6 h shift expires', () => {
      // Act
      const sum = (seconds: readonly number[]) => seconds.reduce((total, s) => total + s, 0);
      const evacuation = sum(EVACUATION_POLL_SECONDS);
      const recovery = sum(AZ_RECOVERY_POLL_SECONDS);

      // Assess
      expect(evacuation).toBe(20 * 60);
      expect(new Set(AZ_RECOVERY_POLL_SECONDS)).toEqual(new Set([300]));
      // The last AZ check comes at least 5 min before the shift's expiry: time to extend it.
      expect(evacuation + recovery).toBeLessThanOrEqual(6 * 3600 - 5 * 60);
      expect(RUN_TIMEOUT.toSeconds()).toBeGreaterThan(
        APPROVAL_TIMEOUT.toSeconds() + evacuation + recovery + 30 * 60,
      );
    });

    it('lets the state machine shift the shop load balancer and size the web group only', () => {
      // Prepare
      const own = withoutLoggingAndTracing(
        statementsOfRole(synthesized, synthesized.runbook.stateMachine.role),
      );

      // Assess
      expect(actionsOf(own)).toEqual([
        'arc-zonal-shift:CancelZonalShift',
        'arc-zonal-shift:GetManagedResource',
        'arc-zonal-shift:ListZonalShifts',
        'arc-zonal-shift:StartZonalShift',
        'arc-zonal-shift:UpdateZonalShift',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:UpdateAutoScalingGroup',
        // Its AZ recovery rounds' task tokens (contract.test.ts: recovery-wait items only).
        'dynamodb:PutItem',
        'lambda:InvokeFunction',
        // The guardrails, read before the check and the recheck (runbooks/kit/guardrail-read.ts).
        'ssm:GetParameters',
      ]);
      expect(resourcesOf(own, 'autoscaling:DescribeAutoScalingGroups')).toEqual(['*']);
      // The load balancer by ARN (ALB is an ARC resource type); `*` only under the condition below.
      expect(resourcesOf(own, 'arc-zonal-shift:StartZonalShift')).toEqual([ALB_ARN, '*']);
      expect(resourcesOf(own, 'arc-zonal-shift:CancelZonalShift')).toEqual([ALB_ARN, '*']);
      expect(resourcesOf(own, 'arc-zonal-shift:ListZonalShifts')).toEqual(['*']);
      // The group is no ARC resource type (only ALB and NLB are): its shift is allowed on `*`
      // under the condition key arc-zonal-shift:ResourceIdentifier, which ARC's Start, Cancel
      // and GetManagedResource support (Service Authorization Reference), issue 10 #3.
      // (The Deny that keeps its PutItem to recovery-wait items is the contract suite's.)
      const conditioned = own.filter(
        (statement) =>
          (statement as { Condition?: unknown }).Condition !== undefined &&
          !actionsOf([statement]).includes('dynamodb:PutItem'),
      );
      expect(synthesized.stack.resolve(conditioned)).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'arc-zonal-shift:StartZonalShift',
            'arc-zonal-shift:UpdateZonalShift',
            'arc-zonal-shift:CancelZonalShift',
            'arc-zonal-shift:GetManagedResource',
          ],
          Resource: '*',
          Condition: {
            StringLike: {
              'arc-zonal-shift:ResourceIdentifier': [ALB_ARN, expect.anything()],
            },
          },
        },
      ]);
      const [, groupPattern] = (
        synthesized.stack.resolve(conditioned)[0] as {
          Condition: { StringLike: Record<string, unknown[]> };
        }
      ).Condition.StringLike['arc-zonal-shift:ResourceIdentifier'] as unknown[];
      expect(JSON.stringify(groupPattern)).toContain(
        `:autoScalingGroup:*:autoScalingGroupName/${GROUP_NAME}`,
      );
      expect(new Set(resourcesOf(own, 'autoscaling:UpdateAutoScalingGroup'))).toEqual(
        new Set([GROUP_ARN]),
      );
      expectInvokesApprovalsStepAndReport(synthesized, own);
    });

    it('lets the step function read only: the group, target health, the table (the state machine reads the guardrails)', () => {
      // Prepare
      const { step } = synthesized.runbook.functions;
      const statements = statementsOfRole(synthesized, step.function.role as iam.IRole);

      // Assess
      const described = [
        'autoscaling:DescribeAutoScalingGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ];
      for (const action of described) expect(resourcesOf(statements, action)).toEqual(['*']);
      expect(actionsBeyond(statements, described)).toEqual([]);
      expectOnlyStateMachineReadsGuardrails(synthesized);
      synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'rebound-test-az-evacuation-step',
        Environment: {
          Variables: Match.objectLike({
            AUTO_SCALING_GROUP_NAME: GROUP_NAME,
            TARGET_GROUP_ARN,
            LOAD_BALANCER_ARN: ALB_ARN,
            AVAILABILITY_ZONES: 'us-east-1a,us-east-1b,us-east-1c',
            GUARDRAILS_PATH: '/rebound/test/guardrails/',
          }),
        },
      });
    });
  });

  describe('local execution', () => {
    let w: World;
    beforeEach(async () => {
      w = await world({ azRecoversAtCheck: 2 });
    });

    it('after approval shifts away, grows the two AZs, waits for the AZ, then ends the shift', async () => {
      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ListShifts')).toEqual([{ ResourceIdentifier: ALB_ARN, Status: 'ACTIVE' }]);
      // (What it asks and records: the approval case of ../contract.test.ts.)
      expect(callsOf(w, 'StartZonalShift')).toEqual([
        {
          ResourceIdentifier: ALB_ARN,
          AwayFrom: 'use1-az1',
          ExpiresIn: '6h',
          Comment: `Rebound az-evacuation for ${INCIDENT_ID}: us-east-1a impaired`,
        },
      ]);
      // The group is shifted too, by the ARN DescribeAutoScalingGroups gave (issue 10 #3).
      expect(callsOf(w, 'StartGroupShift')).toEqual([
        {
          ResourceIdentifier: GROUP_ARN_LIVE,
          AwayFrom: 'use1-az1',
          ExpiresIn: '6h',
          Comment: `Rebound az-evacuation for ${INCIDENT_ID}: us-east-1a impaired`,
        },
      ]);
      expect(callsOf(w, 'RaiseCapacity')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 6, DesiredCapacity: 6 },
      ]);
      // The load balancer applies its shift before the run counts on it.
      expect(callsOf(w, 'ConfirmShift')).toEqual([{ ResourceIdentifier: ALB_ARN }]);
      expect(w.trace.indexOf('ConfirmShift')).toBeLessThan(w.trace.indexOf('EvacuationVerify'));
      expect(callsOf(w, 'EvacuationVerify')).toHaveLength(2);
      expect(callsOf(w, 'AzRecoveryVerify')).toHaveLength(2);
      expect(callsOf(w, 'EndGroupShift')).toEqual([{ ZonalShiftId: GROUP_SHIFT_ID }]);
      expect(callsOf(w, 'EndZonalShift')).toEqual([{ ZonalShiftId: SHIFT_ID }]);
      expect(w.trace.indexOf('EndGroupShift')).toBeLessThan(w.trace.indexOf('EndZonalShift'));
      expect(callsOf(w, 'RestoreMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 4 },
      ]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          outcome: 'succeeded',
          target: { type: 'availability-zone', id: 'us-east-1a' },
          detail: `us-east-1a (use1-az1) has recovered: AWS Health closed its event on incident ${INCIDENT_ID}. The zonal shifts of the load balancer and the group are over; the group's maximum is back to 4.`,
        }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
    });

    it('escalates when the load balancer does not apply the shift (fail-open), not counting on it (issue 10 #3)', async () => {
      // Prepare: no healthy targets elsewhere: the load balancer fails open and ignores the shift.
      w = await world({ shiftApplied: [false] });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ShiftNotApplied',
        cause: expect.stringContaining(
          `The load balancer does not apply zonal shift ${SHIFT_ID} away from use1-az1`,
        ),
      });
      expect(callsOf(w, 'ConfirmShift')).toHaveLength(CONFIRM_POLL_SECONDS.length);
      expect(callsOf(w, 'EvacuationVerify')).toEqual([]);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['Escalate']);
    });

    it('extends both shifts hourly while AWS Health keeps the AZ impaired (issue 10 #3)', async () => {
      // Prepare: the AZ recovers at the 13th check (5 min apart): one hour of impairment.
      w = await world({ azRecoversAtCheck: 13 });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ExtendGroupShift')).toEqual([
        { ZonalShiftId: GROUP_SHIFT_ID, ExpiresIn: '6h' },
      ]);
      expect(callsOf(w, 'ExtendZonalShift')).toEqual([{ ZonalShiftId: SHIFT_ID, ExpiresIn: '6h' }]);
      expect(w.trace.indexOf('ExtendZonalShift')).toBeLessThan(w.trace.indexOf('EndGroupShift'));
    });

    it('goes on once the load balancer applies the shift a few seconds later', async () => {
      // Prepare
      w = await world({ shiftApplied: [false, false, true], azRecoversAtCheck: 1 });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'ConfirmShift')).toHaveLength(3);
    });

    it('refuses when two AZs would need more than the ceiling, without a mutating call', async () => {
      // Prepare
      w = await world({ guardrails: { maxScaleOutCapacity: 5 } });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expectRefusedBy(w, 'ceiling');
    });

    it('skips an AZ the load balancer is already shifted away from', async () => {
      // Prepare
      w = await world({
        activeShifts: [{ ZonalShiftId: SHIFT_ID, AwayFrom: 'use1-az1', Status: 'ACTIVE' }],
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSkipped',
          detail: `the load balancer is already shifted away from us-east-1a (use1-az1) (zonal shift ${SHIFT_ID}): nothing to do`,
        }),
      ]);
    });

    it('skips after approval when a shift away from the AZ started while waiting (issue 10 #6)', async () => {
      // Prepare: no shift at the check; zonal autoshift (or a person) shifted during the wait.
      w = await world({
        shiftsAtRecheck: [{ ZonalShiftId: SHIFT_ID, AwayFrom: 'use1-az1', Status: 'ACTIVE' }],
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(w.trace).toEqual([
        'ListShifts',
        'ReadGuardrails',
        'Check',
        'RequestApproval',
        'RecordApproval',
        'RecheckShifts',
        'RereadGuardrails',
        'Recheck',
        'ReportNoLongerNeeded',
      ]);
      expect(callsOf(w, 'RecheckShifts')).toEqual([
        { ResourceIdentifier: ALB_ARN, Status: 'ACTIVE' },
      ]);
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportNoLongerNeeded',
          outcome: 'skipped',
          detail: `no longer needed after approval: the load balancer is already shifted away from us-east-1a (use1-az1) (zonal shift ${SHIFT_ID}): nothing to do`,
        }),
      ]);
    });

    it('escalates when the two other AZs never carry the load, leaving the shift in place', async () => {
      // Prepare: the new instances never come.
      w = await world({ polls: [BEFORE] });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'EvacuationNotRecovered',
        cause: expect.stringContaining(
          '3 of the 4 instances needed serve outside us-east-1a (us-east-1b: 1, us-east-1c: 2; desired capacity 4)',
        ),
      });
      expect(callsOf(w, 'EvacuationVerify')).toHaveLength(EVACUATION_POLL_SECONDS.length);
      expect(callsOf(w, 'AzRecoveryVerify')).toEqual([]);
      expect(callsOf(w, 'EndZonalShift')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'Escalate', outcome: 'failed' }),
      ]);
      expect((await incidentOf(w)).status).toBe('failed');
      expect(w.alerts).toEqual([
        expect.objectContaining({ severity: 'critical', kind: 'escalation' }),
      ]);
    });

    it('leaves a maximum scale-out raised during the evacuation, instead of undoing it (issue 10 #8)', async () => {
      // Prepare: under load scale-out raised the maximum 6→9 while the AZ was out.
      w = await world({ azRecoversAtCheck: 1, maxAtRestore: 9 });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'EndZonalShift')).toEqual([{ ZonalShiftId: SHIFT_ID }]);
      expect(callsOf(w, 'ReadMaximum')).toEqual([{ AutoScalingGroupNames: [GROUP_NAME] }]);
      expect(callsOf(w, 'RestoreMaximum')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          detail: `us-east-1a (use1-az1) has recovered: AWS Health closed its event on incident ${INCIDENT_ID}. The zonal shifts of the load balancer and the group are over; the group's maximum is 9, not the 6 this run set: someone else (scale-out, a person) changed it, so it stays.`,
        }),
      ]);
    });

    it('restores the maximum without cancelling when the shift has already ended', async () => {
      // Prepare
      w = await world({
        azRecoversAtCheck: 1,
        endZonalShift: () => {
          throw taskError('ArcZonalShift.ConflictException', 'zonal shift is not active');
        },
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'EndZonalShift')).toHaveLength(1);
      expect(callsOf(w, 'RestoreMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 4 },
      ]);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it.each([
      // The contract (../contract.test.ts) tries a missing or foreign value of every field;
      // these are the AZ-shaped mistakes an operator makes.
      ['an AZ outside the shop', { availabilityZone: 'us-east-1d' }, 'InvalidAvailabilityZone'],
      ['an AZ ID instead of a name', { availabilityZone: 'use1-az1' }, 'InvalidAvailabilityZone'],
    ])('fails with InvalidInput on %s, calling nothing', async (_case, input, failState) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expectInvalidInputCallingNothing(w, definition, run, failState);
    });

    it('fails with InvalidInput when the check rejects an incident id the Choice let through', async () => {
      // Act
      const run = await runLocally(
        definition,
        { availabilityZone: 'us-east-1b', incidentId: 'inc-20250101T0000-ffffffff' },
        w.overrides,
      );

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: 'InvalidInput' });
      expect(run.status === 'failed' && run.cause).toMatch(/names no incident/);
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([]);
    });
  });
});
