import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../functions/lib/core/alert.js';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../functions/lib/core/guardrails.js';
import type { Incident } from '../../functions/lib/core/incident.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/render-alert.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../functions/lib/memory-store.js';
import {
  type AzEvacuationCheckEvent,
  type AzEvacuationVerifyEvent,
  type AzRecoveredEvent,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
} from '../../functions/lib/runbook/az-evacuation.js';
import type {
  ZonalFleetInstance,
  ZonalFleetSnapshot,
} from '../../functions/lib/runbook/fleet.js';
import { parseReportEvent } from '../../functions/lib/runbook/events.js';
import { reportRunbookOutcome } from '../../functions/lib/runbook/report-outcome.js';
import { listNagAcknowledgements } from '../../infra/nag.js';
import {
  AZ_RECOVERY_POLL_SECONDS,
  AzEvacuation,
  EVACUATION_POLL_SECONDS,
  RUN_TIMEOUT,
} from '../../runbooks/az-evacuation.js';
import { APPROVAL_TIMEOUT } from '../../runbooks/runbook-skeleton.js';
import {
  APPROVALS_FUNCTION_ARN,
  definitionOf,
  type Fake,
  fake,
  GROUP_NAME,
  NAME_PREFIX,
  runLocally,
  type SynthesizedRunbook,
  synthRunbookWith,
  TARGET_GROUP_ARN,
  TASK_TOKEN,
  taskError,
} from './support.js';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const ZONE_NAMES = { 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b', 'use1-az4': 'us-east-1c' };
const ALB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test-web/50dc6c495c0c9188';
const GROUP_ARN = `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${GROUP_NAME}`;
const NOW = new Date('2025-01-01T12:00:00Z');
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

const flatten = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(flatten);
  const object = value as Record<string, unknown>;
  if (object.Ref === 'AWS::Partition') return 'aws';
  if (Array.isArray(object['Fn::GetAtt'])) return `${object['Fn::GetAtt'].join('.')}`;
  const join = object['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(flatten).join(join[0]);
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, flatten(inner)]));
};

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

interface World {
  readonly incidents: MemoryIncidentStore;
  readonly ledger: MemoryActionLedger;
  readonly alerts: Alert[];
  readonly fakes: Record<string, Fake>;
  readonly overrides: Parameters<typeof runLocally>[2];
}

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
  readonly requestApproval?: (input: unknown) => unknown;
  readonly approved?: boolean;
}

const REPORT_STATES = [
  'ReportSucceeded',
  'ReportDryRun',
  'ReportSkipped',
  'ReportRefused',
  'ReportRejected',
  'Escalate',
];
const MUTATING_STATES = ['StartZonalShift', 'RaiseCapacity', 'EndZonalShift', 'RestoreMaximum'];

/**
 * Every Task overridden by its state name: the step Lambda runs its real logic over in-memory
 * stores (its payloads validated by its own schemas); the SDK integrations answer like AWS.
 */
const world = async (options: WorldOptions = {}): Promise<World> => {
  const incidents = new MemoryIncidentStore();
  await incidents.create(healthIncident());
  const ledger = new MemoryActionLedger();
  const alerts: Alert[] = [];
  const clock = { now: () => NOW };
  const guardrails = { ...DEFAULT_GUARDRAILS, mode: 'auto' as const, ...options.guardrails };
  const polls = options.polls ?? [BEFORE, EVACUATED];
  const pollAt = (call: number) => polls[Math.min(call, polls.length) - 1] ?? EVACUATED;
  const checkDeps = {
    guardrails: async () => ({ guardrails, problems: [] }),
    incidents,
    ledger,
    clock,
    warn: () => undefined,
    fleet: { snapshot: async () => BEFORE },
    zoneNames: async () => ZONE_NAMES,
    config: { loadBalancerArn: ALB_ARN, availabilityZones: AZS },
  };

  const report = () =>
    fake(async (input) =>
      reportRunbookOutcome(parseReportEvent(input), {
        incidents,
        alerts: { publish: async (alert) => `msg-${alerts.push(alert)}` },
        render: (alertInput) => renderRunbookOutcomeAlert(alertInput, 'us-east-1'),
        clock,
      }),
    );
  const fakes: Record<string, Fake> = {
    ListShifts: fake(() => ({ Items: options.activeShifts ?? [] })),
    Check: fake((input) =>
      checkAzEvacuation(parseAzEvacuationEvent(input) as AzEvacuationCheckEvent, checkDeps),
    ),
    RequestApproval: fake(
      options.requestApproval ??
        (() => ({ decision: 'approve', by: 'ana', reason: 'use1-az1 is down', via: 'cli' })),
    ),
    RecordApproval: fake(() =>
      options.approved === false
        ? { approved: false, by: 'ana', via: 'cli', summary: 'rejected by ana via cli: not now' }
        : { approved: true, by: 'ana', via: 'cli', summary: 'approved by ana via cli' },
    ),
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
        snapshot: async () => pollAt(call),
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
    ...Object.fromEntries(REPORT_STATES.map((state) => [state, report()])),
  };
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(fakes).map(([state, { handler }]) => [state, handler]),
  );
  const noPause = Object.fromEntries(Object.keys(fakes).map((state) => [state, 0]));
  return {
    incidents,
    ledger,
    alerts,
    fakes,
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: { EvacuationWait: 0, AzRecoveryWait: 0 },
      retryIntervalOverrides: noPause,
    },
  };
};

const callsOf = (w: World, state: string): unknown[] => w.fakes[state]?.calls ?? [];
const mutatingCalls = (w: World) => MUTATING_STATES.flatMap((state) => callsOf(w, state));
const reportsOf = (w: World) =>
  REPORT_STATES.flatMap((at) => callsOf(w, at).map((call) => ({ at, ...parseReportEvent(call) })));
const incidentOf = async (w: World): Promise<Incident> => {
  const incident = await w.incidents.get(INCIDENT_ID);
  if (incident === undefined) throw new Error('incident not stored');
  return incident;
};
const ACTION =
  "shift the load balancer's traffic away from us-east-1a (use1-az1) for up to 6 h and raise desired capacity 4→6 (maximum 4→6) so two AZs carry the load";
const INPUT = { availabilityZone: 'us-east-1a', incidentId: INCIDENT_ID } as const;

describe('runbook az-evacuation', () => {
  let synthesized: SynthesizedRunbook<AzEvacuation>;
  let definition: StateMachineDefinition;

  const statementsOfRole = (role: iam.IRole): Statement[] => {
    const roleId = synthesized.stack.getLogicalId(role.node.defaultChild as CfnElement);
    return Object.values(synthesized.template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some(({ Ref }) => Ref === roleId),
      )
      .flatMap((policy) => flatten(policy.Properties.PolicyDocument.Statement) as Statement[]);
  };
  const actionsOf = (statements: readonly Statement[]) =>
    [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();
  const resourcesOf = (statements: readonly Statement[], action: string) =>
    statements
      .filter((statement) => [statement.Action].flat().includes(action))
      .flatMap((statement) => [statement.Resource].flat());

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
          autoScalingGroup: autoscaling.AutoScalingGroup.fromAutoScalingGroupName(
            stack,
            'Group',
            GROUP_NAME,
          ),
          targetGroup: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Targets', {
            targetGroupArn: TARGET_GROUP_ARN,
          }),
          availabilityZones: AZS,
          ...shared,
        }),
    );
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs, tracing and a run timeout', () => {
      // Assess
      synthesized.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: 'rebound-test-az-evacuation',
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
      expect(definition.TimeoutSeconds).toBe(RUN_TIMEOUT.toSeconds());
      expect((definition as { QueryLanguage?: string }).QueryLanguage).toBe('JSONPath');
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Act
      const taskStates = Object.entries(definition.States).filter(
        ([, state]) => state.Type === 'Task',
      );

      // Assess
      expect(taskStates.map(([name]) => name).sort()).toEqual(
        [
          'ListShifts',
          'Check',
          'RequestApproval',
          'RecordApproval',
          ...MUTATING_STATES,
          'EvacuationVerify',
          'AzRecoveryVerify',
          ...REPORT_STATES,
        ].sort(),
      );
      for (const [name, state] of taskStates) {
        expect(state, name).toHaveProperty('TimeoutSeconds');
        if (name === 'Escalate') continue;
        const catchers = 'Catch' in state ? (state.Catch ?? []) : [];
        expect(catchers.at(-1), name).toEqual({
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.error',
          Next: 'Escalate',
        });
      }
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
      // Act (the synthesis in beforeAll threw on any unacknowledged finding)
      const acknowledgements = listNagAcknowledgements(synthesized.app);

      // Assess
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const { finding, reason } of acknowledgements) {
        expect(reason.length, finding).toBeGreaterThanOrEqual(60);
      }
    });

    it('lets the state machine shift the shop load balancer and size the web group only', () => {
      // Prepare
      const statements = statementsOfRole(synthesized.runbook.stateMachine.role);
      const own = statements.filter(
        (statement) =>
          ![statement.Action]
            .flat()
            .every((action) => action.startsWith('xray:') || action.startsWith('logs:')),
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
      const { step, report } = synthesized.runbook.functions;
      const invoked = resourcesOf(own, 'lambda:InvokeFunction');
      expect(invoked).toHaveLength(6);
      expect(invoked).toEqual(
        expect.arrayContaining([APPROVALS_FUNCTION_ARN, `${APPROVALS_FUNCTION_ARN}:*`]),
      );
      for (const fn of [step, report]) {
        const id = synthesized.stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
        expect(invoked).toEqual(expect.arrayContaining([`${id}.Arn`, `${id}.Arn:*`]));
      }
    });

    it('lets the step function read only: AZs, the group, target health, guardrails, the table', () => {
      // Prepare
      const { step } = synthesized.runbook.functions;
      const statements = statementsOfRole(step.function.role as iam.IRole);

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
      expect(
        actionsOf(statements).filter(
          (action) =>
            !/^(dynamodb|xray|logs|sqs):/.test(action) &&
            action !== 'ssm:GetParametersByPath' &&
            !described.includes(action),
        ),
      ).toEqual([]);
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
      const [report] = reportsOf(w);
      expect(report).toMatchObject({ at: 'ReportRefused', outcome: 'refused' });
      expect(report?.state.guardrail?.blockedBy).toBe(blockedBy);
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
      w = await world({ approved: false });

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
      w = await world({
        requestApproval: () => {
          throw taskError('States.Timeout', 'no answer within 30 minutes');
        },
      });

      // Act
      const run = await runLocally(definition, INPUT, w.overrides);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: 'ApprovalTimedOut' });
      expect(mutatingCalls(w)).toEqual([]);
      expect(callsOf(w, 'RecordApproval')).toEqual([]);
      const reports = reportsOf(w);
      expect(reports).toEqual([expect.objectContaining({ at: 'Escalate', outcome: 'failed' })]);
      expect(reports[0]?.state.error?.Error).toBe('ApprovalTimedOut');
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
      const cause = definition.States[failState];
      expect(run).toEqual({
        status: 'failed',
        error: 'InvalidInput',
        cause: cause !== undefined && 'Cause' in cause ? cause.Cause : 'no cause',
      });
      expect(Object.values(w.fakes).flatMap(({ calls }) => calls)).toEqual([]);
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
