import type { Guardrails } from '../../../functions/lib/core/guardrails.js';
import type { FleetInstance, FleetSnapshot } from '../../../functions/lib/runbook/fleet.js';
import {
  CAPACITY_POLL_SECONDS,
  RUN_TIMEOUT,
  ScaleOut,
} from '../../../runbooks/scale-out/state-machine.js';
import {
  checkScaleOut,
  type GroupCapacity,
  parseScaleOutEvent,
  returnScaleOut,
  verifyScaleOut,
} from '../../../runbooks/scale-out/steps.js';
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

/** scale-out in a test stack, and the world its local runs see. */

export const ALARM = 'rebound-test-web-cpu-high';
export const NORMAL_MAX = 6;

/** Stuck at its maximum: desired 6 of max 6. With step 3 and ceiling 24: max 9, desired 9. */
export const AT_MAX: GroupCapacity = {
  groupName: GROUP_NAME,
  minSize: 2,
  maxSize: 6,
  desiredCapacity: 6,
};

const ids = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `i-0${String(from + i).padStart(16, '0')}`);
const inService = (instanceId: string): FleetInstance => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
});
/** An hour later the load has dropped: target tracking brought desired down to 7 of max 9. */
export const CALMED: GroupCapacity = { ...AT_MAX, maxSize: 9, desiredCapacity: 7 };
/** Still under load: target tracking keeps desired at the raised maximum. */
export const STILL_BUSY: GroupCapacity = { ...AT_MAX, maxSize: 9, desiredCapacity: 9 };

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

export const synth = (): SynthesizedRunbook<ScaleOut> =>
  synthRunbookWith(
    (stack, shared) =>
      new ScaleOut(stack, 'ScaleOut', {
        namePrefix: NAME_PREFIX,
        stage: 'test',
        ...webTier(stack),
        normalMaxCapacity: NORMAL_MAX,
        incidents: shared.incidents,
        guardrails: shared.guardrails,
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
  /** The group at each ReturnCheck (the last one repeats); CALMED unless given. */
  readonly groupAtReturn?: readonly GroupCapacity[];
  /** The account's ACTIVE zonal shifts at each ReturnShifts (the last one repeats); none unless given. */
  readonly shiftsAtReturn?: readonly (readonly Record<string, string>[])[];
  /** Alarm state at each ReturnAlarm (the last one repeats); OK unless given. */
  readonly alarmAtReturn?: readonly string[];
}

/**
 * Every Task overridden by its state name. Check and CapacityVerify run the step Lambda's real
 * logic over in-memory stores (payloads validated by its own schema); the SDK integrations
 * answer like AWS would, so ResultSelectors, Choice rules and the Parallel's Retry run for real.
 */
export const world = (options: WorldOptions = {}): World => {
  const stores = newStores(options.guardrails);
  const polls = options.polls ?? [SCALING, SCALED];
  const alarmReads = options.alarmReads ?? ['ALARM', 'OK'];

  const groupAtReturn = options.groupAtReturn ?? [CALMED];
  const step = () =>
    fake(async (input, call) => {
      const event = parseScaleOutEvent(input);
      switch (event.step) {
        case 'check':
          return checkScaleOut(event, {
            ...checkDepsOf(stores),
            group: { capacity: async () => options.group ?? AT_MAX },
            groupName: GROUP_NAME,
            normalMax: NORMAL_MAX,
          });
        case 'verify':
          return verifyScaleOut(event, {
            fleet: { snapshot: async () => scripted(polls, call) ?? SCALED },
          });
        case 'return':
          return returnScaleOut(event, {
            capacity: async () => scripted(groupAtReturn, call) ?? CALMED,
          });
      }
    });
  return worldOf(stores, {
    tasks: {
      CheckAlarm: fake(() =>
        options.alarmAtCheck === null
          ? { MetricAlarms: [], CompositeAlarms: [] }
          : alarmAnswer(options.alarmAtCheck ?? 'ALARM'),
      ),
      Check: step(),
      RaiseCapacity: fake(),
      CapacityVerify: step(),
      ReadAlarm: fake((_input, call) => alarmAnswer(scripted(alarmReads, call) ?? 'OK')),
      ReturnShifts: fake((_input, call) => ({
        Items: scripted(options.shiftsAtReturn ?? [[]], call) ?? [],
      })),
      ReturnAlarm: fake((_input, call) =>
        alarmAnswer(scripted(options.alarmAtReturn ?? ['OK'], call) ?? 'OK'),
      ),
      ReturnCheck: step(),
      ReturnMaximum: fake(),
    },
    reportStates: REPORT_STATES,
    waits: ['CapacityWait', 'ReturnWait'],
    retrying: ['WaitForAlarm'],
  });
};

export const harness: RunbookHarness = {
  synth,
  deployed: { 'web-group': [GROUP_NAME] },
  runTimeoutSeconds: RUN_TIMEOUT.toSeconds(),
  tasks: [
    'ReadGuardrails',
    'CapacityVerify',
    'Check',
    'CheckAlarm',
    'RaiseCapacity',
    // In WaitForAlarm's branch: the Parallel's catch-all covers it.
    'ReadAlarm',
    'ReturnAlarm',
    'ReturnCheck',
    'ReturnMaximum',
    'ReturnShifts',
    ...REPORT_STATES,
  ],
  validInput: { autoScalingGroupName: GROUP_NAME },
  checks: ['ReadGuardrails', 'Check'],
  action: `raise ${GROUP_NAME} max 6→9 and desired 6→9`,
  mutating: ['RaiseCapacity', 'ReturnMaximum'],
  act: {
    state: 'RaiseCapacity',
    call: { AutoScalingGroupName: GROUP_NAME, MaxSize: 9, DesiredCapacity: 9 },
    throttledBy: 'AutoScaling.AutoScalingException',
  },
  world: (options = {}) => world({ guardrails: options.guardrails }),
  neverRecovers: {
    // The new instances never leave Pending.
    world: () => world({ polls: [SCALING] }),
    verify: 'CapacityVerify',
    checks: CAPACITY_POLL_SECONDS.length,
    error: 'CapacityNotRecovered',
    cause: '6 of 9 needed instances serve',
  },
};
