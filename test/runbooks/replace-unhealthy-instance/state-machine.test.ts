import { Match } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import type { FleetInstance, FleetSnapshot } from '../../../functions/lib/runbook/fleet.js';
import { REPLACEMENT_POLL_SECONDS } from '../../../runbooks/replace-unhealthy-instance/state-machine.js';
import {
  checkInstanceReplacement,
  INSTANCE_REPLACEMENT_BUDGET,
  parseGuardrailEvent,
} from '../../../runbooks/replace-unhealthy-instance/steps.js';
import {
  definitionOf,
  expectEveryTaskBoundedAndEscalating,
  expectObservableStateMachine,
  expectOneFindingPerReason,
  expectReasonedNagAcknowledgements,
  fake,
  GROUP_NAME,
  runLocally,
  type SynthesizedRunbook,
  synthRunbook,
  TARGET_GROUP_ARN,
  taskError,
} from '../support.js';
import {
  callsOf,
  checkDepsOf,
  expectEscalatedWith,
  expectInvalidInputCallingNothing,
  expectRefusedBy,
  incidentOf,
  NOW,
  newStores,
  REPORT_STATES,
  reportsOf,
  scripted,
  storedIncident,
  type World,
  worldOf,
} from '../world.js';

const OLD = 'i-0123456789abcdef0';
const PEER_A = 'i-0aaaaaaaaaaaaaaa1';
const PEER_B = 'i-0bbbbbbbbbbbbbbb2';
const NEW = 'i-0ccccccccccccccc3';
const ALARM = 'rebound-test-web-instance-status';

const inService = (instanceId: string): FleetInstance => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
});
/** Three healthy instances serving, the old one among them. */
const HEALTHY_FLEET: FleetSnapshot = {
  groupName: GROUP_NAME,
  desiredCapacity: 3,
  instances: [inService(OLD), inService(PEER_A), inService(PEER_B)],
  healthyTargetIds: [OLD, PEER_A, PEER_B],
};

/** DescribeAutoScalingGroups / DescribeTargetHealth answers for a fleet, as the SDK integration returns them. */
const describeGroupAnswer = (fleet: FleetSnapshot) => ({
  AutoScalingGroups: [
    {
      AutoScalingGroupName: fleet.groupName,
      DesiredCapacity: fleet.desiredCapacity,
      Instances: fleet.instances.map((instance) => ({
        InstanceId: instance.instanceId,
        LifecycleState: instance.lifecycleState,
        HealthStatus: instance.healthStatus,
        AvailabilityZone: 'us-east-1a',
      })),
    },
  ],
});
const describeTargetsAnswer = (fleet: FleetSnapshot) => ({
  TargetHealthDescriptions: fleet.instances.map((instance) => ({
    Target: { Id: instance.instanceId, Port: 80 },
    TargetHealth: {
      State: fleet.healthyTargetIds.includes(instance.instanceId) ? 'healthy' : 'initial',
    },
  })),
});

/** The fleet while Auto Scaling replaces OLD: terminating, then the new one coming up, then serving. */
const REPLACING: FleetSnapshot = {
  ...HEALTHY_FLEET,
  instances: [
    { instanceId: OLD, lifecycleState: 'Terminating', healthStatus: 'Unhealthy' },
    inService(PEER_A),
    inService(PEER_B),
    { instanceId: NEW, lifecycleState: 'Pending', healthStatus: 'Healthy' },
  ],
  healthyTargetIds: [PEER_A, PEER_B],
};
const REPLACED: FleetSnapshot = {
  ...HEALTHY_FLEET,
  instances: [inService(PEER_A), inService(PEER_B), inService(NEW)],
  healthyTargetIds: [PEER_A, PEER_B, NEW],
};

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** Fleet the guardrail check sees. */
  readonly fleet?: FleetSnapshot;
  /** Fleet at each replacement check (the last one repeats). */
  readonly polls?: readonly FleetSnapshot[];
  readonly alarmState?: string;
  readonly markUnhealthy?: (input: unknown, call: number) => unknown;
  readonly guardrailCheck?: (input: unknown) => unknown;
}

/**
 * Every Task overridden by its state name. The task Lambdas run their real logic over
 * in-memory stores (their payloads validated by the Lambdas' own schemas); the SDK
 * integrations answer like AWS would, so the ResultSelectors and Choice rules run for real.
 */
const world = (options: WorldOptions = {}): World => {
  const stores = newStores();
  const fleet = options.fleet ?? HEALTHY_FLEET;
  const polls = options.polls ?? [REPLACING, REPLACED];
  const pollAt = (call: number) => scripted(polls, call) ?? REPLACED;
  return worldOf(stores, {
    tasks: {
      CheckAlarm: fake(() => ({
        MetricAlarms: [{ AlarmName: ALARM, StateValue: options.alarmState ?? 'ALARM' }],
        CompositeAlarms: [],
      })),
      GuardrailCheck: fake(
        options.guardrailCheck ??
          ((input) =>
            checkInstanceReplacement(parseGuardrailEvent(input), {
              ...checkDepsOf(stores, options.guardrails),
              fleet: { snapshot: async () => fleet },
            })),
      ),
      MarkUnhealthy: fake(options.markUnhealthy ?? (() => ({}))),
      DescribeGroup: fake((_input, call) => describeGroupAnswer(pollAt(call))),
      DescribeTargets: fake((_input, call) => describeTargetsAnswer(pollAt(call))),
    },
    reportStates: REPORT_STATES,
    waits: ['WaitForReplacement'],
  });
};

/** A replacement of `resourceId` under a budget of `maxPerHour`, as the ledger counts it. */
const replacement = (maxPerHour: number, resourceId = OLD) => ({
  budget: INSTANCE_REPLACEMENT_BUDGET,
  maxPerHour,
  resourceId,
  cooldownMinutes: 15,
});

describe('runbook replace-unhealthy-instance', () => {
  let synthesized: SynthesizedRunbook;
  let definition: StateMachineDefinition;

  beforeAll(() => {
    synthesized = synthRunbook();
    definition = definitionOf(synthesized.template);
  });

  describe('state machine', () => {
    it('is a Standard JSONPath state machine with logs, tracing and a run timeout', () => {
      // Assess
      expectObservableStateMachine(
        synthesized.template,
        definition,
        'rebound-test-replace-unhealthy-instance',
        1800,
      );
    });

    it('bounds every Task with a timeout and routes every Task but Escalate to Escalate', () => {
      // Assess
      expectEveryTaskBoundedAndEscalating(definition, [
        'CheckAlarm',
        'DescribeGroup',
        'DescribeTargets',
        'Escalate',
        'GuardrailCheck',
        'MarkUnhealthy',
        'ReportDryRun',
        'ReportRefused',
        'ReportSkipped',
        'ReportSucceeded',
      ]);
    });

    it('polls for at most ~15 minutes with waits of 15, 30, then 60 seconds', () => {
      // Assess
      expect(REPLACEMENT_POLL_SECONDS.slice(0, 3)).toEqual([15, 30, 60]);
      expect(Math.max(...REPLACEMENT_POLL_SECONDS)).toBe(60);
      const total = REPLACEMENT_POLL_SECONDS.reduce((sum, seconds) => sum + seconds, 0);
      // Longer than grace 300 s + 3 × 10 s unhealthy threshold + a launch; shorter than the run timeout.
      expect(total).toBeGreaterThan(300 + 30 + 180);
      expect(total).toBeLessThanOrEqual(15 * 60);
    });

    it('passes the cdk-nag packs with a specific reason for every acknowledgement', () => {
      // Assess (the synthesis in beforeAll threw on any unacknowledged finding)
      const acknowledgements = expectReasonedNagAcknowledgements(synthesized.app);
      expectOneFindingPerReason(acknowledgements);
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
      const [guardrailRead] = statementsWith('ssm:GetParametersByPath');
      const resource = guardrailRead?.Resource as { 'Fn::Join': [string, unknown[]] } | undefined;
      const parts = resource?.['Fn::Join'][1] ?? [];
      expect(parts.at(-1)).toMatch(
        /:ssm:us-east-1:123456789012:parameter\/rebound\/test\/guardrails$/,
      );
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

    it('in dry-run mode reports what it would do and makes no mutating call', async () => {
      // Prepare
      w = world({ guardrails: { mode: 'dry-run' } });

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      expect(callsOf(w, 'DescribeGroup')).toEqual([]);
      expect(reportsOf(w)).toEqual([
        expect.objectContaining({
          at: 'ReportDryRun',
          outcome: 'dry-run',
          detail: `dry-run: would mark ${OLD} Unhealthy in ${GROUP_NAME}: Auto Scaling replaces it`,
        }),
      ]);
      expect(w.alerts.map((alert) => alert.kind)).toEqual(['incident-update']);
      await expect(w.ledger.peek(replacement(2), NOW)).resolves.toEqual({ allowed: true });
    });

    it('refuses when the replacement budget is spent, without touching the instance', async () => {
      // Prepare: two replacements already this hour (budget 2).
      for (const resourceId of [PEER_A, PEER_B]) {
        await w.ledger.claim(replacement(2, resourceId), new Date(NOW.getTime() - 10 * 60_000));
      }

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'MarkUnhealthy')).toEqual([]);
      expectRefusedBy(w, 'budget');
      expect(w.alerts[0]?.subject).toMatch(/^\[REFUSED\]/);
    });

    it('retries a throttled SetInstanceHealth, then carries on', async () => {
      // Prepare
      w = world({
        markUnhealthy: (_input, call) => {
          if (call <= 2) throw taskError('AutoScaling.AutoScalingException', 'Rate exceeded');
          return {};
        },
      });

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run.status).toBe('succeeded');
      expect(callsOf(w, 'MarkUnhealthy')).toHaveLength(3);
      expect(reportsOf(w).map(({ at }) => at)).toEqual(['ReportSucceeded']);
    });

    it('escalates when the replacement never becomes healthy', async () => {
      // Prepare: the new instance never leaves Pending.
      w = world({ polls: [REPLACING] });

      // Act
      const run = await runLocally(definition, { instanceId: OLD }, w.overrides);

      // Assess
      expect(run).toMatchObject({
        status: 'failed',
        error: 'ReplacementNotHealthy',
        cause: expect.stringContaining('2 of 3 desired instances InService and Healthy'),
      });
      expect(callsOf(w, 'DescribeGroup')).toHaveLength(REPLACEMENT_POLL_SECONDS.length);
      expectEscalatedWith(w, 'ReplacementNotHealthy');
      const incident = await incidentOf(w);
      expect(incident.status).toBe('failed');
      expect(w.alerts).toEqual([
        expect.objectContaining({
          severity: 'critical',
          kind: 'escalation',
          sms: expect.any(String),
        }),
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

    it.each([
      ['a missing instanceId', {}, 'InvalidInstanceId'],
      ['a name instead of an id', { instanceId: 'web-1' }, 'InvalidInstanceId'],
      ['a foreign alarm', { instanceId: OLD, alarmName: 'someone-else' }, 'InvalidAlarmName'],
      ['a malformed incident id', { instanceId: OLD, incidentId: 42 }, 'InvalidIncidentId'],
    ])('fails with InvalidInput on %s, calling nothing', async (_case, input, failState) => {
      // Act
      const run = await runLocally(definition, input, w.overrides);

      // Assess
      expectInvalidInputCallingNothing(w, definition, run, failState);
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
