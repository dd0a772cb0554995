import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import type { Incident } from '../../../functions/lib/core/incident.js';
import { EXAMPLE_AVAILABILITY_ZONE_IDS } from '../../../functions/lib/environments.js';
import type {
  ZonalFleetInstance,
  ZonalFleetSnapshot,
} from '../../../functions/lib/runbook/fleet.js';
import {
  AZ_RECOVERY_POLL_SECONDS,
  AzEvacuation,
  RUN_TIMEOUT,
} from '../../../runbooks/az-evacuation/state-machine.js';
import {
  type AzEvacuationCheckEvent,
  type AzEvacuationRecheckEvent,
  type AzEvacuationVerifyEvent,
  type AzRecoveredEvent,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
  recheckAzEvacuation,
  type ShiftAppliedEvent,
  shiftApplied,
} from '../../../runbooks/az-evacuation/steps.js';
import type { RunbookHarness } from '../harness.js';
import {
  fake,
  GROUP_NAME,
  NAME_PREFIX,
  type SynthesizedRunbook,
  synthRunbookWith,
  webTier,
} from '../support.js';
import {
  type Answer,
  announcementFake,
  answer,
  approvalFakes,
  checkDepsOf,
  newStores,
  REPORT_STATES_WITH_APPROVAL,
  type Round,
  scripted,
  type World,
  worldOf,
} from '../world.js';

/** az-evacuation in a test stack, and the world its local runs see. */

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const ZONE_NAMES = { 'use1-az1': 'us-east-1a', 'use1-az2': 'us-east-1b', 'use1-az4': 'us-east-1c' };
export const ALB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test-web/50dc6c495c0c9188';
export const INCIDENT_ID = 'inc-20250101T1150-0a1b2c3d';
const HEALTH_PART = 'health:arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/abc';
export const SHIFT_ID = '9ac9ec1e-1df1-4c8c-a4b2-1c0e3b3a1f10';
export const GROUP_SHIFT_ID = '4f1c2b3a-0d9e-4c8b-a7f6-e5d4c3b2a190';
/** The web group's ARN as DescribeAutoScalingGroups gives it (with its UUID). */
export const GROUP_ARN_LIVE = `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9:autoScalingGroupName/${GROUP_NAME}`;

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
  groupArn: GROUP_ARN_LIVE,
  desiredCapacity,
  maxSize,
  instances,
  healthyTargetIds: instances
    .filter((i) => i.lifecycleState === 'InService' && !unhealthyTargets.includes(i.instanceId))
    .map((i) => i.instanceId),
});
/** Four instances over three AZs, at the group's maximum: three serve outside us-east-1a. */
export const BEFORE = fleetOf(4, 4, [
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

export const synth = (): SynthesizedRunbook<AzEvacuation> =>
  synthRunbookWith(
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
        availabilityZoneIds: EXAMPLE_AVAILABILITY_ZONE_IDS,
        availabilityZones: AZS,
        ...shared,
      }),
  );

interface WorldOptions {
  readonly guardrails?: Partial<Guardrails>;
  /** The load balancer's ACTIVE shifts, as ListShifts returns them. */
  readonly activeShifts?: readonly Record<string, string>[];
  /** Fleet at each evacuation check (the last one repeats). */
  readonly polls?: readonly ZonalFleetSnapshot[];
  /** The AZ recovery check at which AWS Health has closed the event; never when undefined. */
  readonly azRecoversAtCheck?: number;
  readonly endZonalShift?: (input: unknown, call: number) => unknown;
  /** What the person answers; approves unless given. */
  readonly approval?: Answer | 'no answer';
  /** Whether the load balancer applies its shift at each ConfirmShift (the last one repeats). */
  readonly shiftApplied?: readonly boolean[];
  /** The group's maximum when the run restores it; the 6 the run set unless given. */
  readonly maxAtRestore?: number;
  /** The load balancer's ACTIVE shifts when read again after approval; `activeShifts` unless given. */
  readonly shiftsAtRecheck?: readonly Record<string, string>[];
  /** Whether AWS Health closing answers each AZ recovery round; lost (no answer) unless given. */
  readonly rounds?: readonly Round[];
}

export const MUTATING_STATES = [
  'StartZonalShift',
  'StartGroupShift',
  'RaiseCapacity',
  'ExtendGroupShift',
  'ExtendZonalShift',
  'EndGroupShift',
  'EndZonalShift',
  'RestoreMaximum',
];

/**
 * Every Task overridden by its state name: the step Lambda runs its real logic over in-memory
 * stores (its payloads validated by its own schemas); the SDK integrations answer like AWS.
 */
export const world = async (options: WorldOptions = {}): Promise<World> => {
  const stores = newStores(options.guardrails);
  const { incidents } = stores;
  await incidents.create(healthIncident());
  const polls = options.polls ?? [BEFORE, EVACUATED];
  const checkDeps = {
    ...checkDepsOf(stores),
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
      RecheckShifts: fake(() => ({ Items: options.shiftsAtRecheck ?? options.activeShifts ?? [] })),
      Recheck: fake((input) =>
        recheckAzEvacuation(parseAzEvacuationEvent(input) as AzEvacuationRecheckEvent, checkDeps),
      ),
      StartZonalShift: fake(() => ({
        ZonalShiftId: SHIFT_ID,
        ResourceIdentifier: ALB_ARN,
        AwayFrom: 'use1-az1',
        Status: 'ACTIVE',
      })),
      StartGroupShift: fake(() => ({
        ZonalShiftId: GROUP_SHIFT_ID,
        ResourceIdentifier: GROUP_ARN_LIVE,
        AwayFrom: 'use1-az1',
        Status: 'ACTIVE',
      })),
      RaiseCapacity: fake(),
      ShiftApplied: fake((input) =>
        shiftApplied(parseAzEvacuationEvent(input) as ShiftAppliedEvent),
      ),
      // GetManagedResource of the load balancer, as the SDK integration returns it.
      ConfirmShift: fake((_input, call) => ({
        Arn: ALB_ARN,
        ZonalShifts: [
          {
            ZonalShiftId: SHIFT_ID,
            AwayFrom: 'use1-az1',
            AppliedStatus:
              (scripted(options.shiftApplied ?? [true], call) ?? true) ? 'APPLIED' : 'NOT_APPLIED',
          },
        ],
      })),
      EvacuationVerify: fake((input, call) =>
        checkEvacuation(parseAzEvacuationEvent(input) as AzEvacuationVerifyEvent, {
          snapshot: async () => scripted(polls, call) ?? EVACUATED,
        }),
      ),
      AzRecoveryAwaitRecovery: announcementFake(options.rounds),
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
      ExtendGroupShift: fake(() => ({ ZonalShiftId: GROUP_SHIFT_ID, Status: 'ACTIVE' })),
      ExtendZonalShift: fake(() => ({ ZonalShiftId: SHIFT_ID, Status: 'ACTIVE' })),
      EndGroupShift: fake(() => ({ ZonalShiftId: GROUP_SHIFT_ID })),
      EndZonalShift: fake(options.endZonalShift ?? (() => ({ ZonalShiftId: SHIFT_ID }))),
      ReadMaximum: fake(() => ({
        AutoScalingGroups: [
          { AutoScalingGroupName: GROUP_NAME, MaxSize: options.maxAtRestore ?? 6 },
        ],
      })),
      RestoreMaximum: fake(),
    },
    reportStates: REPORT_STATES_WITH_APPROVAL,
    waits: ['ConfirmWait', 'EvacuationWait'],
  });
};

const ACTION =
  "shift the load balancer's traffic and the web group away from us-east-1a (use1-az1) for up to 6 h and raise desired capacity 4→6 (maximum 4→6) so two AZs carry the load";
export const INPUT = { availabilityZone: 'us-east-1a', incidentId: INCIDENT_ID } as const;

export const harness: RunbookHarness = {
  synth,
  deployed: { 'availability-zone': AZS },
  runTimeoutSeconds: RUN_TIMEOUT.toSeconds(),
  tasks: [
    'ReadGuardrails',
    'RereadGuardrails',
    'ListShifts',
    'Check',
    'RequestApproval',
    'RecordApproval',
    'RecheckShifts',
    'Recheck',
    ...MUTATING_STATES,
    'EvacuationVerify',
    'AzRecoveryAwaitRecovery',
    'AzRecoveryVerify',
    'ConfirmShift',
    'ShiftApplied',
    'ReadMaximum',
    ...REPORT_STATES_WITH_APPROVAL,
  ],
  validInput: INPUT,
  checks: ['ListShifts', 'ReadGuardrails', 'Check'],
  action: ACTION,
  // Extending its own shifts while AWS Health keeps the AZ impaired keeps the evacuation as it
  // is: the contract's "no mutating call after the verification gave up" does not count it.
  mutating: MUTATING_STATES.filter((state) => !state.startsWith('Extend')),
  act: {
    state: 'StartZonalShift',
    call: {
      ResourceIdentifier: ALB_ARN,
      AwayFrom: 'use1-az1',
      ExpiresIn: '6h',
      Comment: `Rebound az-evacuation for ${INCIDENT_ID}: us-east-1a impaired`,
    },
    throttledBy: 'ArcZonalShift.ThrottlingException',
  },
  world: (options = {}) => world({ ...options, azRecoversAtCheck: 1 }),
  // AWS Health closes the AZ's event in the first round: the check runs at once.
  announced: { world: () => world({ azRecoversAtCheck: 1, rounds: ['event'] }) },
  neverRecovers: {
    // The two other AZs carry the load, but AWS Health never closes the AZ's event.
    world: () => world(),
    verify: 'AzRecoveryVerify',
    checks: AZ_RECOVERY_POLL_SECONDS.length,
    error: 'AzRecoveryNotRecovered',
    cause: `aws arc-zonal-shift update-zonal-shift --zonal-shift-id ${SHIFT_ID} --expires-in 6h`,
  },
};
