import { Match } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import type { Incident } from '../../../functions/lib/core/incident.js';
import type {
  ZonalFleetInstance,
  ZonalFleetSnapshot,
} from '../../../functions/lib/runbook/fleet.js';
import {
  AZ_RECOVERY_POLL_SECONDS,
  AzEvacuation,
  EVACUATION_POLL_SECONDS,
  RUN_TIMEOUT,
} from '../../../runbooks/az-evacuation/state-machine.js';
import {
  type AzEvacuationCheckEvent,
  type AzEvacuationVerifyEvent,
  type AzRecoveredEvent,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
} from '../../../runbooks/az-evacuation/steps.js';
import { APPROVAL_TIMEOUT } from '../../../runbooks/kit/approval-gate.js';
import {
  APPROVALS_FUNCTION_ARN,
  actionsBeyond,
  actionsOf,
  definitionOf,
  expectEveryTaskBoundedAndEscalating,
  expectInvokesApprovalsStepAndReport,
  expectObservableStateMachine,
  expectReasonedNagAcknowledgements,
  fake,
  GROUP_NAME,
  NAME_PREFIX,
  resourcesOf,
  runLocally,
  type SynthesizedRunbook,
  statementsOfRole,
  synthRunbookWith,
  TARGET_GROUP_ARN,
  TASK_TOKEN,
  taskError,
  webTier,
  withoutLoggingAndTracing,
} from '../support.js';
import {
  type Answer,
  answer,
  approvalFakes,
  callsOf,
  checkDepsOf,
  expectEscalatedWith,
  expectInvalidInputCallingNothing,
  expectRefusedBy,
  newStores,
  REPORT_STATES_WITH_APPROVAL,
  reportsOf,
  scripted,
  storedIncident,
  type World,
  worldOf,
} from '../world.js';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const ZONE_NAMES = { 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b', 'use1-az4': 'us-east-1c' };
const ALB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test-web/50dc6c495c0c9188';
const GROUP_ARN = `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${GROUP_NAME}`;
const INCIDENT_ID = 'inc-20250101T1150-0a1b2c3d';
const HEALTH_PART = 'health:arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/abc';
const SHIFT_ID = '9ac9ec1e-1df1-4c8c-a4b2-1c0e3b3a1f10';

const instance = (
  instanceId: string,
  availabilityZone: string,
  lifecycleState = 'InService',
): ZonalFleetInstance => ({
  instanceId,
  availabilityZone,
  lifecycleState,
  healthStatus: 'Healthy',
});
const fleetOf = (
  desiredCapacity: number,
  maxSize: number,
  instances: readonly ZonalFleetInstance[],
  unhealthyTargets: readonly string[] = [],
): ZonalFleetSnapshot => ({
  groupName: GROUP_NAME,
  desiredCapacity,
  maxSize,
  instances,
  healthyTargetIds: instances
    .filter((i) => i.lifecycleState === 'InService' && !unhealthyTargets.includes(i.instanceId))
    .map((i) => i.instanceId),
});
/** Four instances over three AZs, at the group's maximum: three serve outside us-east-1a. */
const BEFORE = fleetOf(4, 4, [
  instance('i-0aaaaaaaaaaaaaaa1', 'us-east-1a'),
  instance('i-0bbbbbbbbbbbbbbb1', 'us-east-1b'),
  instance('i-0ccccccccccccccc1', 'us-east-1c'),
  instance('i-0ccccccccccccccc2', 'us-east-1c'),
]);
/** Grown to six in the two other AZs; one new instance still pending. */
const EVACUATED = fleetOf(6, 6, [
  ...BEFORE.instances,
  instance('i-0bbbbbbbbbbbbbbb2', 'us-east-1b'),
  instance('i-0bbbbbbbbbbbbbbb3', 'us-east-1b', 'Pending'),
]);

/** The incident triage opened from the AWS Health event for us-east-1a. */
const healthIncident = (): Incident => ({
  id: INCIDENT_ID,
  status: 'open',
  severity: 'critical',
  title: 'AWS reports an impairment in us-east-1a (use1-az1)',
  kind: 'az-impairment',
  resources: [{ type: 'availability-zone', id: 'us-east-1a' }],
  availabilityZone: 'us-east-1a',
  parts: [
    {
      key: HEALTH_PART,
      kind: 'az-impairment',
      resource: { type: 'availability-zone', id: 'us-east-1a' },
      state: 'active',
      since: '2025-01-01T11:50:00.000Z',
    },
  ],
  scopeKeys: ['resource:availability-zone:us-east-1a', 'az:us-east-1a', `part:${HEALTH_PART}`],
  timeline: [],
  openedAt: '2025-01-01T11:50:00.000Z',
  updatedAt: '2025-01-01T11:50:00.000Z',
  runbookExecutions: {},
  version: 1,
});

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** The load balancer's ACTIVE shifts, as ListShifts returns them. */
  readonly activeShifts?: readonly Record<string, string>[];
  /** Fleet at each evacuation check (the last one repeats). */
  readonly polls?: readonly ZonalFleetSnapshot[];
  /** The AZ recovery check at which AWS Health has closed the event; never when undefined. */
  readonly azRecoversAtCheck?: number;
  readonly startZonalShift?: (input: unknown, call: number) => unknown;
  readonly endZonalShift?: (input: unknown, call: number) => unknown;
  /** What the person answers; approves unless given. */
  readonly approval?: Answer | 'no answer';
}

const MUTATING_STATES = ['StartZonalShift', 'RaiseCapacity', 'EndZonalShift', 'RestoreMaximum'];

/**
 * Every Task overridden by its state name: the step Lambda runs its real logic over in-memory
 * stores (its payloads validated by its own schemas); the SDK integrations answer like AWS.
 */
const world = async (options: WorldOptions = {}): Promise<World> => {
  const stores = newStores();
  const { incidents } = stores;
  await incidents.create(healthIncident());
  const polls = options.polls ?? [BEFORE, EVACUATED];
  const checkDeps = {
    ...checkDepsOf(stores, options.guardrails),
    fleet: { snapshot: async () => BEFORE },
    zoneNames: async () => ZONE_NAMES,
    config: { loadBalancerArn: ALB_ARN, availabilityZones: AZS },
  };

  return worldOf(stores, {
    tasks: {
      ListShifts: fake(() => ({ Items: options.activeShifts ?? [] })),
      Check: fake((input) =>
        checkAzEvacuation(parseAzEvacuationEvent(input) as AzEvacuationCheckEvent, checkDeps),
      ),
      ...approvalFakes(options.approval ?? answer('approve', 'use1-az1 is down')),
      StartZonalShift: fake(
        options.startZonalShift ??
          (() => ({
            ZonalShiftId: SHIFT_ID,
            ResourceIdentifier: ALB_ARN,
            AwayFrom: 'use1-az1',
            Status: 'ACTIVE',
          })),
      ),
      RaiseCapacity: fake(),
      EvacuationVerify: fake((input, call) =>
        checkEvacuation(parseAzEvacuationEvent(input) as AzEvacuationVerifyEvent, {
          snapshot: async () => scripted(polls, call) ?? EVACUATED,
        }),
      ),
      AzRecoveryVerify: fake(async (input, call) => {
        if (call === options.azRecoversAtCheck) {
          // Triage records AWS Health closing the event: the AZ's part resolves.
          const incident = (await incidents.get(INCIDENT_ID)) as Incident;
          await incidents.update({
            ...incident,
            parts: incident.parts.map((part) => ({ ...part, state: 'resolved' as const })),
            version: incident.version + 1,
          });
        }
        return checkAzRecovered(parseAzEvacuationEvent(input) as AzRecoveredEvent, incidents);
      }),
      EndZonalShift: fake(options.endZonalShift ?? (() => ({ ZonalShiftId: SHIFT_ID }))),
      RestoreMaximum: fake(),
    },
    reportStates: REPORT_STATES_WITH_APPROVAL,
    waits: ['EvacuationWait', 'AzRecoveryWait'],
  });
};

const mutatingCalls = (w: World) => MUTATING_STATES.flatMap((state) => callsOf(w, state));
const incidentOf = (w: World): Promise<Incident> => storedIncident(w, INCIDENT_ID);
const ACTION =
  "shift the load balancer's traffic away from us-east-1a (use1-az1) for up to 6 h and raise desired capacity 4→6 (maximum 4→6) so two AZs carry the load";
const INPUT = { availabilityZone: 'us-east-1a', incidentId: INCIDENT_ID } as const;

describe('runbook az-evacuation', () => {
  let synthesized: SynthesizedRunbook<AzEvacuation>;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synthRunbookWith(
      (stack, shared) =>
        new AzEvacuation(stack, 'AzEvacuation', {
          namePrefix: NAME_PREFIX,
          stage: 'test',
          loadBalancer: elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(
            stack,
            'Alb',
            { loadBalancerArn: ALB_ARN, securityGroupId: 'sg-0123456789abcdef0' },
          ),
          ...webTier(stack),
          availabilityZones: AZS,
          ...shared,
        }),
    );
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs, tracing and a run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        'rebound-test-az-evacuation',
        RUN_TIMEOUT.toSeconds(),
      );
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Assess
      expectEveryTaskBoundedAndEscalating(definition, [
        'ListShifts',
        'Check',
        'RequestApproval',
        'RecordApproval',
        ...MUTATING_STATES,
        'EvacuationVerify',
        'AzRecoveryVerify',
        ...REPORT_STATES_WITH_APPROVAL,
      ]);
    });

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

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      expectReasonedNagAcknowledgements(synthesized.app);
    });

    it('lets the state machine shift the shop load balancer and size the web group only', () => {
      // Prepare
      const own = withoutLoggingAndTracing(
        statementsOfRole(synthesized, synthesized.runbook.stateMachine.role),
      );

      // Assess
      expect(actionsOf(own)).toEqual([
        'arc-zonal-shift:CancelZonalShift',
        'arc-zonal-shift:ListZonalShifts',
        'arc-zonal-shift:StartZonalShift',
        'autoscaling:UpdateAutoScalingGroup',
        'lambda:InvokeFunction',
      ]);
      expect(resourcesOf(own, 'arc-zonal-shift:StartZonalShift')).toEqual([ALB_ARN]);
      expect(resourcesOf(own, 'arc-zonal-shift:CancelZonalShift')).toEqual([ALB_ARN]);
      expect(resourcesOf(own, 'arc-zonal-shift:ListZonalShifts')).toEqual(['*']);
      expect(new Set(resourcesOf(own, 'autoscaling:UpdateAutoScalingGroup'))).toEqual(
        new Set([GROUP_ARN]),
      );
      expectInvokesApprovalsStepAndReport(synthesized, own);
    });

    it('lets the step function read only: AZs, the group, target health, guardrails, the table', () => {
      // Prepare
      const { step } = synthesized.runbook.functions;
      const statements = statementsOfRole(synthesized, step.function.role as iam.IRole);

      // Assess
      const described = [
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeAvailabilityZones',
        'elasticloadbalancing:DescribeTargetHealth',
      ];
      for (const action of described) expect(resourcesOf(statements, action)).toEqual(['*']);
      expect(resourcesOf(statements, 'ssm:GetParametersByPath')).toEqual([
        'arn:aws:ssm:us-east-1:123456789012:parameter/rebound/test/guardrails',
      ]);
      expect(actionsBeyond(statements, ['ssm:GetParametersByPath', ...described])).toEqual([]);
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
      expect(callsOf(w, 'RequestApproval')).toEqual([
        {
          FunctionName: APPROVALS_FUNCTION_ARN,
          Payload: expect.objectContaining({
            type: 'request',
            runbook: 'az-evacuation',
            incidentId: INCIDENT_ID,
            target: { type: 'availability-zone', id: 'us-east-1a' },
            taskToken: TASK_TOKEN,
            action: ACTION,
          }),
        },
      ]);
      expect(callsOf(w, 'StartZonalShift')).toEqual([
        {
          ResourceIdentifier: ALB_ARN,
          AwayFrom: 'use1-az1',
          ExpiresIn: '6h',
          Comment: `Rebound az-evacuation for ${INCIDENT_ID}: us-east-1a impaired`,
        },
      ]);
      expect(callsOf(w, 'RaiseCapacity')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 6, DesiredCapacity: 6 },
      ]);
      expect(callsOf(w, 'EvacuationVerify')).toHaveLength(2);
      expect(callsOf(w, 'AzRecoveryVerify')).toHaveLength(2);
      expect(callsOf(w, 'EndZonalShift')).toEqual([{ ZonalShiftId: SHIFT_ID }]);
      expect(callsOf(w, 'RestoreMaximum')).toEqual([
        { AutoScalingGroupName: GROUP_NAME, MaxSize: 4 },
      ]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportSucceeded',
          outcome: 'succeeded',
          target: { type: 'availability-zone', id: 'us-east-1a' },
          detail: `us-east-1a (use1-az1) has recovered: AWS Health closed its event on incident ${INCIDENT_ID}. The zonal shift is over and the group's maximum is back to 4.`,
        }),
      ]);
      expect((await incidentOf(w)).status).toBe('resolved');
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['runbook-succeeded']);
    });

    it('acts without asking when the auto-approved-runbooks guardrail names it', async () => {
      // Prepare
      w = await world({
        azRecoversAtCheck: 1,
        guardrails: { autoApprovedRunbooks: ['az-evacuation'] },
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(callsOf(w, 'StartZonalShift')).toHaveLength(1);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('in dry-run mode reports what it would do and makes no mutating call', async () => {
      // Prepare
      w = await world({ guardrails: { mode: 'dry-run' } });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(callsOf(w, 'RequestApproval')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          detail: `dry-run: would ${ACTION} after approval`,
        }),
      ]);
    });

    it.each([
      ['the mode is off', { mode: 'off' as const }, 'mode-off'],
      ['the runbook is not enabled', { enabledRunbooks: ['scale-out'] }, 'runbook-disabled'],
      ['the hourly budget is spent', { maxActionsPerHour: 0 }, 'budget'],
      ['two AZs would need more than the ceiling', { maxScaleOutCapacity: 5 }, 'ceiling'],
    ])('refuses when %s, without a mutating call', async (_case, guardrails, blockedBy) => {
      // Prepare
      w = await world({ guardrails });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expectRefusedBy(w, blockedBy);
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

    it('reports a rejected approval as refused, without a mutating call', async () => {
      // Prepare
      w = await world({ approval: answer('reject', 'not now') });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(mutatingCalls(w)).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportRejected',
          outcome: 'refused',
          detail: 'rejected by ana via cli: not now',
        }),
      ]);
    });

    it('escalates an unanswered approval without acting', async () => {
      // Prepare
      w = await world({ approval: 'no answer' });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: 'ApprovalTimedOut' });
      expect(mutatingCalls(w)).toEqual([]);
      expect(callsOf(w, 'RecordApproval')).toEqual([]);
      expectEscalatedWith(w, 'ApprovalTimedOut');
      expect((await incidentOf(w)).status).toBe('failed');
    });

    it('retries a throttled StartZonalShift, then carries on', async () => {
      // Prepare
      w = await world({
        azRecoversAtCheck: 1,
        startZonalShift: (_input, call) => {
          if (call === 1) throw taskError('ArcZonalShift.ThrottlingException', 'Rate exceeded');
          return { ZonalShiftId: SHIFT_ID };
        },
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'StartZonalShift')).toHaveLength(2);
      expect(callsOf(w, 'RaiseCapacity')).toHaveLength(1);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
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

    it('escalates before the shift expires when the AZ stays impaired, saying how to extend it', async () => {
      // Prepare
      w = await world();

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'AzRecoveryNotRecovered',
        cause: expect.stringContaining(
          `aws arc-zonal-shift update-zonal-shift --zonal-shift-id ${SHIFT_ID} --expires-in 6h`,
        ),
      });
      expect(callsOf(w, 'AzRecoveryVerify')).toHaveLength(AZ_RECOVERY_POLL_SECONDS.length);
      expect(callsOf(w, 'EndZonalShift')).toEqual([]);
      expect(callsOf(w, 'RestoreMaximum')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({ at: 'Escalate', outcome: 'failed' }),
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
      ['a missing availabilityZone', {}, 'InvalidAvailabilityZone'],
      ['an AZ outside the shop', { availabilityZone: 'us-east-1d' }, 'InvalidAvailabilityZone'],
      ['an AZ ID instead of a name', { availabilityZone: 'use1-az1' }, 'InvalidAvailabilityZone'],
      ['a malformed incident id', { ...INPUT, incidentId: 'INC-1' }, 'InvalidIncidentId'],
      ['a reason that is not text', { ...INPUT, reason: 42 }, 'InvalidReason'],
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
