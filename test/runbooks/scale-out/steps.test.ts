import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../../functions/lib/core/guardrails.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../../../functions/lib/memory-store.js';
import type { FleetSnapshot } from '../../../functions/lib/runbook/fleet.js';
import { InvalidInputError } from '../../../functions/lib/runbook/invalid-input.js';
import { AwsGroupCapacityReader } from '../../../runbooks/scale-out/aws-group-capacity-reader.js';
import {
  assessScaleOut,
  checkScaleOut,
  decideReturn,
  type GroupCapacity,
  parseScaleOutEvent,
  type ScaleOutCheckDeps,
  type ScaleOutCheckEvent,
  type ScaleOutPlan,
  verifyScaleOut,
} from '../../../runbooks/scale-out/steps.js';

const GROUP = 'rebound-test-web';
const ALARM = 'rebound-test-web-cpu-high';
const NOW = new Date('2025-01-01T12:00:00Z');
const EXECUTION = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:rebound-test-scale-out:manual-1',
  name: 'manual-1',
};
const AT_MAX: GroupCapacity = { groupName: GROUP, minSize: 2, maxSize: 6, desiredCapacity: 6 };
const BOUNDS = { scaleOutStep: 3, maxScaleOutCapacity: 24 };

describe('assessScaleOut', () => {
  it('plans max and desired one step up when the group is stuck at its maximum', () => {
    // Act
    const assessment = assessScaleOut(AT_MAX, BOUNDS, 6, { name: ALARM, state: 'ALARM' });

    // Assess
    expect(assessment).toEqual({
      type: 'mutate',
      action: `raise ${GROUP} max 6→9 and desired 6→9`,
      needsApproval: false,
      plan: {
        groupName: GROUP,
        previousMax: 6,
        previousDesired: 6,
        newMax: 9,
        newDesired: 9,
        normalMax: 6,
      },
    });
  });

  it('stops at the ceiling: the last step is smaller', () => {
    // Act
    const assessment = assessScaleOut({ ...AT_MAX, maxSize: 22, desiredCapacity: 22 }, BOUNDS, 6);

    // Assess
    expect(assessment).toMatchObject({
      type: 'mutate',
      action: `raise ${GROUP} max 22→24 and desired 22→24`,
      plan: { newMax: 24, newDesired: 24 },
    });
  });

  it.each([
    [
      'the alarm is OK again',
      AT_MAX,
      BOUNDS,
      'OK',
      { verdict: 'skip', reason: `the pressure is gone: alarm ${ALARM} is OK again` },
    ],
    [
      'desired is below max',
      { ...AT_MAX, desiredCapacity: 4 },
      BOUNDS,
      'ALARM',
      {
        verdict: 'skip',
        reason: 'target tracking still has room: desired 4 of max 6; it scales by itself',
      },
    ],
    [
      'max is at the ceiling',
      { ...AT_MAX, maxSize: 24, desiredCapacity: 24 },
      BOUNDS,
      'ALARM',
      {
        verdict: 'refused',
        blockedBy: 'ceiling',
        reason: expect.stringContaining('ceiling of 24 (max-scale-out-capacity)'),
      },
    ],
    [
      'the step is 0',
      AT_MAX,
      { ...BOUNDS, scaleOutStep: 0 },
      'ALARM',
      {
        verdict: 'refused',
        blockedBy: 'scale-out-step',
        reason: 'the scale-out-step guardrail is 0: nothing is raised',
      },
    ],
  ])('stops when %s', (_case, group, bounds, alarmState, expected) => {
    // Act
    const assessment = assessScaleOut(group, bounds, 6, { name: ALARM, state: alarmState });

    // Assess
    expect(assessment).toEqual({ type: 'stop', ...expected });
  });
});

describe('checkScaleOut', () => {
  let incidents: MemoryIncidentStore;
  let ledger: MemoryActionLedger;
  const deps = (
    guardrails: Partial<Guardrails> = {},
    group: GroupCapacity = AT_MAX,
  ): ScaleOutCheckDeps => ({
    guardrails: async () => ({
      guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto', ...guardrails },
      problems: [],
    }),
    group: { capacity: async () => group },
    groupName: GROUP,
    normalMax: 6,
    incidents,
    ledger,
    clock: { now: () => NOW },
    warn: () => undefined,
  });
  const event = (input: Partial<ScaleOutCheckEvent['input']> = {}): ScaleOutCheckEvent => ({
    step: 'check',
    input: { autoScalingGroupName: GROUP, ...input },
    execution: EXECUTION,
  });

  beforeEach(() => {
    incidents = new MemoryIncidentStore();
    ledger = new MemoryActionLedger();
  });

  it('acts, claims the scale-out budget and the cooldown, and records a manual run', async () => {
    // Act
    const result = await checkScaleOut(event({ reason: 'Black Friday' }), deps());

    // Assess
    expect(result).toMatchObject({
      verdict: 'act',
      reason: `raise ${GROUP} max 6→9 and desired 6→9`,
      plan: { newMax: 9, newDesired: 9, normalMax: 6 },
    });
    const incident = await incidents.get(result.incidentId);
    expect(incident).toMatchObject({
      status: 'mitigating',
      kind: 'capacity-pressure',
      resources: [{ type: 'auto-scaling-group', id: GROUP }],
    });
    await expect(
      ledger.peek(
        { budget: 'scale-out', maxPerHour: 9, resourceId: GROUP, cooldownMinutes: 15 },
        NOW,
      ),
    ).resolves.toMatchObject({ allowed: false, blockedBy: 'cooldown' });
  });

  it('skips when the named alarm is OK again', async () => {
    // Act
    const result = await checkScaleOut(
      event({ alarmName: ALARM, alarm: { MetricAlarms: [{ StateValue: 'OK' }] } }),
      deps(),
    );

    // Assess
    expect(result).toMatchObject({ verdict: 'skip', plan: {} });
  });

  it('rejects a group that is not the shop web group', async () => {
    // Act
    const check = checkScaleOut(event({ autoScalingGroupName: 'other-web' }), deps());

    // Assess
    await expect(check).rejects.toThrow(InvalidInputError);
    await expect(check).rejects.toThrow(/must be the shop's web group rebound-test-web/);
  });

  it('rejects an alarm that does not exist', async () => {
    // Act
    const check = checkScaleOut(
      event({ alarmName: ALARM, alarm: { MetricAlarms: [], CompositeAlarms: [] } }),
      deps(),
    );

    // Assess
    await expect(check).rejects.toThrow(`input.alarmName: there is no alarm named ${ALARM}`);
  });

  it('reads the state of a composite alarm too', async () => {
    // Act
    const result = await checkScaleOut(
      event({
        alarmName: ALARM,
        alarm: { MetricAlarms: [], CompositeAlarms: [{ StateValue: 'OK' }] },
      }),
      deps(),
    );

    // Assess
    expect(result.verdict).toBe('skip');
  });
});

describe('parseScaleOutEvent', () => {
  it('keeps the fields a step reads and drops the rest of the state', () => {
    // Act
    const parsed = parseScaleOutEvent({
      step: 'check',
      input: { autoScalingGroupName: GROUP, poll: { attempt: 1 } },
      execution: EXECUTION,
    });

    // Assess
    expect(parsed).toEqual({
      step: 'check',
      input: { autoScalingGroupName: GROUP },
      execution: EXECUTION,
    });
  });

  it.each([
    ['an unknown step', { step: 'act', input: {}, execution: EXECUTION }],
    ['a missing group', { step: 'check', input: {}, execution: EXECUTION }],
    [
      'a verify without a plan',
      { step: 'verify', input: { guardrail: { plan: {} } }, execution: EXECUTION },
    ],
  ])('throws InvalidInput on %s', (_case, payload) => {
    // Act / Assess
    expect(() => parseScaleOutEvent(payload)).toThrow(InvalidInputError);
  });
});

describe('verifyScaleOut', () => {
  const PLAN: ScaleOutPlan = {
    groupName: GROUP,
    previousMax: 6,
    previousDesired: 6,
    newMax: 9,
    newDesired: 9,
    normalMax: 6,
  };
  const ids = (count: number) => Array.from({ length: count }, (_, i) => `i-0${i}`);
  const fleet = (serving: number, desired = 9, pending = 0): FleetSnapshot => ({
    groupName: GROUP,
    desiredCapacity: desired,
    instances: [
      ...ids(serving).map((instanceId) => ({
        instanceId,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
      ...Array.from({ length: pending }, (_, i) => ({
        instanceId: `i-p${i}`,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
    ],
    // Pending ones are InService for Auto Scaling but not yet healthy in the target group.
    healthyTargetIds: ids(serving),
  });
  const verify = (snapshot: FleetSnapshot) =>
    verifyScaleOut(
      { step: 'verify', input: { guardrail: { plan: PLAN } }, execution: EXECUTION },
      { fleet: { snapshot: async () => snapshot } },
    );

  it('is not recovered while new instances are not healthy in the target group', async () => {
    // Act
    const result = await verify(fleet(6, 9, 3));

    // Assess
    expect(result).toEqual({
      recovered: false,
      serving: 6,
      needed: 9,
      detail: `6 of 9 needed instances serve in ${GROUP} (InService, Healthy and healthy in the target group; max raised 6→9, desired now 9)`,
    });
  });

  it('is recovered when the new desired capacity serves', async () => {
    // Act
    const result = await verify(fleet(9));

    // Assess
    expect(result).toMatchObject({ recovered: true, serving: 9, needed: 9 });
  });

  it('needs only the current desired capacity once target tracking scaled in', async () => {
    // Act
    const result = await verify(fleet(7, 7));

    // Assess
    expect(result).toMatchObject({ recovered: true, serving: 7, needed: 7 });
  });
});

describe('decideReturn (issue 10 #8)', () => {
  const PLAN: ScaleOutPlan = {
    groupName: GROUP,
    previousMax: 6,
    previousDesired: 6,
    newMax: 9,
    newDesired: 9,
    normalMax: 6,
  };
  const group = (maxSize: number, desiredCapacity: number): GroupCapacity => ({
    ...AT_MAX,
    maxSize,
    desiredCapacity,
  });
  const calm = { shifts: [], alarm: { name: ALARM, state: 'OK' } };

  it.each([
    ['desired back to 7', 7, 7],
    ['desired below the normal maximum', 4, 6],
  ])('returns to the larger of the normal maximum and desired capacity: %s', (_, desired, max) => {
    // Act / Assess
    expect(decideReturn(PLAN, group(9, desired), calm)).toMatchObject({
      action: 'return',
      maxSize: max,
    });
  });

  it('holds while target tracking still uses the raised maximum, whatever the alarm says', () => {
    // Act / Assess
    expect(decideReturn(PLAN, group(9, 9), calm)).toMatchObject({
      action: 'hold',
      detail:
        'the pressure lasts: target tracking still uses the raised maximum (desired 9 of max 9)',
    });
  });

  it('holds while the pressure alarm is not OK', () => {
    // Act / Assess
    expect(
      decideReturn(PLAN, group(9, 7), { shifts: [], alarm: { name: ALARM, state: 'ALARM' } }),
    ).toMatchObject({
      action: 'hold',
      detail: `the pressure lasts: alarm ${ALARM} is ALARM; the maximum stays at 9`,
    });
  });

  it('holds while any zonal shift is active (an AZ evacuation needs the extra capacity)', () => {
    // Act / Assess
    expect(
      decideReturn(PLAN, group(9, 7), {
        ...calm,
        shifts: [{ ZonalShiftId: 'shift-1', AwayFrom: 'use1-az1' }],
      }),
    ).toMatchObject({
      action: 'hold',
      detail: expect.stringMatching(/^zonal shift shift-1 away from use1-az1 is active/),
    });
  });

  it('leaves a maximum someone else set since, and one desired capacity still needs', () => {
    // Act / Assess
    expect(decideReturn(PLAN, group(12, 7), calm).action).toBe('leave');
    expect(decideReturn({ ...PLAN, normalMax: 9 }, group(9, 8), calm).action).toBe('leave');
  });
});

describe('AwsGroupCapacityReader', () => {
  const autoScaling = mockClient(AutoScalingClient);
  beforeEach(() => autoScaling.reset());

  it('reads min, max and desired of the one group', async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: GROUP,
          MinSize: 2,
          MaxSize: 6,
          DesiredCapacity: 6,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: NOW,
          DefaultCooldown: 300,
        },
      ],
    });

    // Act
    const capacity = await new AwsGroupCapacityReader(new AutoScalingClient({}), GROUP).capacity();

    // Assess
    expect(capacity).toEqual(AT_MAX);
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: [GROUP],
    });
  });

  it('throws when the group is missing: a broken deployment escalates', async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    // Act
    const read = new AwsGroupCapacityReader(new AutoScalingClient({}), GROUP).capacity();

    // Assess
    await expect(read).rejects.toThrow(`Auto Scaling group ${GROUP} not found`);
  });
});
