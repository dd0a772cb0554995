import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import { EXAMPLE_AVAILABILITY_ZONE_IDS } from '../../../functions/lib/environments.js';
import type {
  ZonalFleetInstance,
  ZonalFleetSnapshot,
} from '../../../functions/lib/runbook/fleet.js';
import {
  REPLACEMENT_POLL_SECONDS,
  ReplaceUnhealthyInstance,
} from '../../../runbooks/replace-unhealthy-instance/state-machine.js';
import {
  checkInstanceReplacement,
  parseGuardrailEvent,
} from '../../../runbooks/replace-unhealthy-instance/steps.js';
import type { RunbookHarness } from '../harness.js';
import {
  fake,
  GROUP_NAME,
  NAME_PREFIX,
  type SynthesizedRunbook,
  synthRunbookWith,
  webTier,
} from '../support.js';
import { checkDepsOf, newStores, REPORT_STATES, scripted, type World, worldOf } from '../world.js';

/** replace-unhealthy-instance in a test stack, and the world its local runs see. */

export const OLD = 'i-0123456789abcdef0';
const PEER_A = 'i-0aaaaaaaaaaaaaaa1';
const PEER_B = 'i-0bbbbbbbbbbbbbbb2';
const NEW = 'i-0ccccccccccccccc3';
export const ALARM = 'rebound-test-web-instance-status';

const inService = (instanceId: string): ZonalFleetInstance => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
  availabilityZone: 'us-east-1a',
});
/** Three healthy instances serving, the old one among them. */
const HEALTHY_FLEET: ZonalFleetSnapshot = {
  groupName: GROUP_NAME,
  desiredCapacity: 3,
  maxSize: 12,
  instances: [inService(OLD), inService(PEER_A), inService(PEER_B)],
  healthyTargetIds: [OLD, PEER_A, PEER_B],
};

/** DescribeAutoScalingGroups / DescribeTargetHealth answers for a fleet, as the SDK integration returns them. */
const describeGroupAnswer = (fleet: ZonalFleetSnapshot) => ({
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
const describeTargetsAnswer = (fleet: ZonalFleetSnapshot) => ({
  TargetHealthDescriptions: fleet.instances.map((instance) => ({
    Target: { Id: instance.instanceId, Port: 80 },
    TargetHealth: {
      State: fleet.healthyTargetIds.includes(instance.instanceId) ? 'healthy' : 'initial',
    },
  })),
});

/** The fleet while Auto Scaling replaces OLD: terminating, then the new one coming up, then serving. */
const REPLACING: ZonalFleetSnapshot = {
  ...HEALTHY_FLEET,
  instances: [
    {
      instanceId: OLD,
      lifecycleState: 'Terminating',
      healthStatus: 'Unhealthy',
      availabilityZone: 'us-east-1a',
    },
    inService(PEER_A),
    inService(PEER_B),
    {
      instanceId: NEW,
      lifecycleState: 'Pending',
      healthStatus: 'Healthy',
      availabilityZone: 'us-east-1b',
    },
  ],
  healthyTargetIds: [PEER_A, PEER_B],
};
export const REPLACED: ZonalFleetSnapshot = {
  ...HEALTHY_FLEET,
  instances: [inService(PEER_A), inService(PEER_B), inService(NEW)],
  healthyTargetIds: [PEER_A, PEER_B, NEW],
};

export const synth = (): SynthesizedRunbook<ReplaceUnhealthyInstance> =>
  synthRunbookWith(
    (stack, shared) =>
      new ReplaceUnhealthyInstance(stack, 'ReplaceUnhealthyInstance', {
        namePrefix: NAME_PREFIX,
        stage: 'test',
        ...webTier(stack),
        availabilityZoneIds: EXAMPLE_AVAILABILITY_ZONE_IDS,
        incidents: shared.incidents,
        guardrails: shared.guardrails,
        alertsTopic: shared.alertsTopic,
        deadLetterQueue: shared.deadLetterQueue,
      }),
  );

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** Fleet the guardrail check sees. */
  readonly fleet?: ZonalFleetSnapshot;
  /** Fleet at each replacement check (the last one repeats). */
  readonly polls?: readonly ZonalFleetSnapshot[];
  readonly alarmState?: string;
  readonly guardrailCheck?: (input: unknown) => unknown;
  /** The account's ACTIVE zonal shifts, as ListZonalShifts returns them. */
  readonly activeShifts?: readonly Record<string, string>[];
  /**
   * What FindWorstInstance's Metrics Insights query returns: one result per instance, the
   * worst first, labelled with its InstanceId (LIMIT 1: at most one).
   */
  readonly worstInstances?: readonly string[];
}

/** GetMetricData's answer to the worst-instance query, as the SDK integration returns it. */
const metricDataAnswer = (instanceIds: readonly string[]) => ({
  MetricDataResults: instanceIds.map((instanceId) => ({
    Id: 'worst',
    Label: instanceId,
    Timestamps: ['2026-12-07T18:00:00Z', '2026-12-07T18:01:00Z'],
    Values: [95.5, 96.1],
    StatusCode: 'Complete',
  })),
  Messages: [],
});

/**
 * Every Task overridden by its state name. The task Lambdas run their real logic over
 * in-memory stores (their payloads validated by the Lambdas' own schemas); the SDK
 * integrations answer like AWS would, so the ResultSelectors and Choice rules run for real.
 */
export const world = (options: WorldOptions = {}): World => {
  const stores = newStores(options.guardrails);
  const fleet = options.fleet ?? HEALTHY_FLEET;
  const polls = options.polls ?? [REPLACING, REPLACED];
  const pollAt = (call: number) => scripted(polls, call) ?? REPLACED;
  return worldOf(stores, {
    tasks: {
      CheckAlarm: fake(() => ({
        MetricAlarms: [{ AlarmName: ALARM, StateValue: options.alarmState ?? 'ALARM' }],
        CompositeAlarms: [],
      })),
      ListZonalShifts: fake(() => ({ Items: options.activeShifts ?? [] })),
      FindWorstInstance: fake(() => metricDataAnswer(options.worstInstances ?? [OLD])),
      GuardrailCheck: fake(
        options.guardrailCheck ??
          ((input) =>
            checkInstanceReplacement(parseGuardrailEvent(input), {
              ...checkDepsOf(stores),
              fleet: { snapshot: async () => fleet },
              zoneNames: async () => ({ 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b' }),
            })),
      ),
      MarkUnhealthy: fake(),
      DescribeGroup: fake((_input, call) => describeGroupAnswer(pollAt(call))),
      DescribeTargets: fake((_input, call) => describeTargetsAnswer(pollAt(call))),
    },
    reportStates: [...REPORT_STATES, 'ReportNoInstance'],
    waits: ['WaitForReplacement', 'SampleMemory'],
  });
};

export const harness: RunbookHarness = {
  synth,
  deployed: { 'web-group': [GROUP_NAME] },
  runTimeoutSeconds: 1800,
  tasks: [
    'ReadGuardrails',
    'CheckAlarm',
    'DescribeGroup',
    'DescribeTargets',
    'FindWorstInstance',
    'GuardrailCheck',
    'ListZonalShifts',
    'MarkUnhealthy',
    ...REPORT_STATES,
    'ReportNoInstance',
  ],
  validInput: { instanceId: OLD },
  checks: ['ListZonalShifts', 'ReadGuardrails', 'GuardrailCheck'],
  action: `mark ${OLD} Unhealthy in ${GROUP_NAME}: Auto Scaling replaces it`,
  mutating: ['MarkUnhealthy'],
  act: {
    state: 'MarkUnhealthy',
    call: { InstanceId: OLD, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false },
    throttledBy: 'AutoScaling.AutoScalingException',
  },
  world: (options = {}) => world({ guardrails: options.guardrails }),
  neverRecovers: {
    // The new instance never leaves Pending.
    world: () => world({ polls: [REPLACING] }),
    verify: 'DescribeGroup',
    checks: REPLACEMENT_POLL_SECONDS.length,
    error: 'ReplacementNotHealthy',
    cause: '2 of 3 desired instances InService and Healthy',
  },
};
