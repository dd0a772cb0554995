import { describe, expect, it } from 'vitest';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import { AlarmEvaluator } from '../../sandbox/gameday/alarms.js';
import { SimulatedAwsApi } from '../../sandbox/gameday/aws-api.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { GRAY_FAILURE_ERROR_PERCENT, SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { TEST_SHOP_SETTINGS } from '../support/gameday-settings.js';

/**
 * ARC zonal shift and UpdateAutoScalingGroup as the game day's AWS answers them, checked
 * against botocore's models (arc-zonal-shift 2022-10-30, autoscaling 2011-01-01) and the ARC,
 * ELB and Auto Scaling documentation: the members each answer must carry, the errors and their
 * reasons, the expiresIn format and limit, and what a shift does to the shop's traffic and
 * launches. Calls go in as Step Functions sends them (PascalCase members).
 */

const START = new Date('2026-11-27T02:00:00Z');
const HOUR = 3_600_000;
const LB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-test-alb/0';
/** us-east-1a's AZ ID in the game day's account (gameDayAzIds). */
const AZ1 = 'use1-az1';

const world = (settings: ShopSettings = TEST_SHOP_SETTINGS) => {
  const time = new VirtualTime(START);
  const shop = new SimulatedShop(settings, 'us-east-1', time, seededRandom(1), {
    emit: () => undefined,
  });
  const api = new SimulatedAwsApi(shop, new AlarmEvaluator(shop, settings.alarms, () => true));
  const arc = (action: string, input: Record<string, unknown>) =>
    api.call('arczonalshift', action, input) as Record<string, unknown>;
  return { time, shop, api, arc };
};

const start = (
  arc: ReturnType<typeof world>['arc'],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> =>
  arc('startZonalShift', {
    ResourceIdentifier: LB,
    AwayFrom: AZ1,
    ExpiresIn: '6h',
    Comment: 'Rebound az-evacuation for inc-1: us-east-1a impaired',
    ...overrides,
  });

describe('ARC StartZonalShift (simulated)', () => {
  it('answers a ZonalShift with every member the model requires, expiring expiresIn from now, and records the change', () => {
    // Prepare
    const { arc, shop } = world();

    // Act
    const shift = start(arc);

    // Assess: ZonalShift's required members (botocore: zonalShiftId, resourceIdentifier,
    // awayFrom, expiryTime, startTime, status, comment); ZonalShiftId is 6–36 of [A-Za-z0-9-].
    expect(shift).toEqual({
      zonalShiftId: expect.stringMatching(/^[A-Za-z0-9-]{6,36}$/),
      resourceIdentifier: LB,
      awayFrom: AZ1,
      expiryTime: new Date(START.getTime() + 6 * HOUR),
      startTime: START,
      status: 'ACTIVE',
      comment: 'Rebound az-evacuation for inc-1: us-east-1a impaired',
    });
    expect(shop.changes).toEqual([
      { at: START.getTime(), call: 'arc-zonal-shift:StartZonalShift', target: LB },
    ]);
  });

  it.each([
    ['0h', 'a number from 1'],
    ['6d', 'only m or h'],
    ['6 h', 'no space'],
    ['73h', 'more than 72 hours'],
    ['4321m', 'more than 72 hours in minutes'],
    ['100000m', 'longer than 5 characters'],
  ])('refuses expiresIn %s (%s) with ValidationException InvalidExpiresIn', (expiresIn) => {
    // Prepare
    const { arc, shop } = world();

    // Act, Assess: the model's ExpiresIn is `([1-9][0-9]*)(m|h)`, 2–5 characters; "active
    // initially for up to three days (72 hours)" (StartZonalShiftRequest.expiresIn).
    expect(() => start(arc, { ExpiresIn: expiresIn })).toThrow(
      expect.objectContaining({
        code: 'ValidationException',
        members: { reason: 'InvalidExpiresIn' },
      }),
    );
    expect(shop.changes).toEqual([]);
  });

  it('takes the longest expiry the documentation allows, 72 hours, in hours or minutes', () => {
    // Prepare
    const first = world();
    const second = world();

    // Act
    const hours = start(first.arc, { ExpiresIn: '72h' });
    const minutes = start(second.arc, { ExpiresIn: '4320m' });

    // Assess
    expect(hours.expiryTime).toEqual(new Date(START.getTime() + 72 * HOUR));
    expect(minutes.expiryTime).toEqual(new Date(START.getTime() + 72 * HOUR));
  });

  it('refuses a missing required member (comment) and an AZ ID the resource is not in, with ValidationException', () => {
    // Prepare
    const { arc } = world();

    // Act, Assess: StartZonalShiftRequest requires resourceIdentifier, awayFrom, expiresIn, comment.
    expect(() => start(arc, { Comment: undefined })).toThrow(
      expect.objectContaining({ code: 'ValidationException', members: { reason: 'MissingValue' } }),
    );
    expect(() => start(arc, { AwayFrom: 'use1-az9' })).toThrow(
      expect.objectContaining({ code: 'ValidationException', members: { reason: 'InvalidAz' } }),
    );
  });

  it('refuses a second shift of the same resource with ConflictException ZonalShiftAlreadyExists, naming the active one', () => {
    // Prepare
    const { arc } = world();
    const first = start(arc);

    // Act, Assess: "You can start a zonal shift for a specific load balancer only for a single
    // Availability Zone" (ARC Developer Guide, "Application Load Balancers").
    expect(() => start(arc, { AwayFrom: 'use1-az2' })).toThrow(
      expect.objectContaining({
        code: 'ConflictException',
        members: { reason: 'ZonalShiftAlreadyExists', zonalShiftId: first.zonalShiftId },
      }),
    );
  });

  it('refuses a load balancer without zonal_shift.config.enabled, and an unknown resource, with ResourceNotFoundException', () => {
    // Prepare: "Zonal shift is disabled by default and must be enabled on each Application
    // Load Balancer" (ELB User Guide, "Enable zonal shift for your Application Load Balancer").
    const { arc } = world({ ...TEST_SHOP_SETTINGS, loadBalancerZonalShiftEnabled: false });

    // Act, Assess
    expect(() => start(arc)).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => start(arc, { ResourceIdentifier: `${LB}-other` })).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => arc('getManagedResource', { ResourceIdentifier: LB })).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
  });
});

describe('ARC UpdateZonalShift, CancelZonalShift, ListZonalShifts (simulated)', () => {
  it('UpdateZonalShift sets a new expiry counted from now, and a new comment', async () => {
    // Prepare
    const { arc, time } = world();
    const shift = start(arc, { ExpiresIn: '1h' });
    await time.runUntil(START.getTime() + 50 * 60_000);

    // Act
    const updated = arc('updateZonalShift', {
      ZonalShiftId: shift.zonalShiftId,
      ExpiresIn: '6h',
      Comment: 'extended',
    });

    // Assess
    expect(updated).toMatchObject({
      zonalShiftId: shift.zonalShiftId,
      status: 'ACTIVE',
      comment: 'extended',
      expiryTime: new Date(START.getTime() + 50 * 60_000 + 6 * HOUR),
    });
  });

  it('a shift is EXPIRED past its expiry: listed so, and UpdateZonalShift and CancelZonalShift answer ConflictException ZonalShiftStatusNotActive', async () => {
    // Prepare
    const { arc, time } = world();
    const shift = start(arc, { ExpiresIn: '30m' });

    // Act
    await time.runUntil(START.getTime() + 30 * 60_000);
    const active = arc('listZonalShifts', { Status: 'ACTIVE', ResourceIdentifier: LB });
    const all = arc('listZonalShifts', {});

    // Assess
    expect(active).toEqual({ items: [] });
    expect(all).toMatchObject({ items: [{ zonalShiftId: shift.zonalShiftId, status: 'EXPIRED' }] });
    for (const action of ['updateZonalShift', 'cancelZonalShift']) {
      expect(() => arc(action, { ZonalShiftId: shift.zonalShiftId, ExpiresIn: '6h' })).toThrow(
        expect.objectContaining({
          code: 'ConflictException',
          members: { reason: 'ZonalShiftStatusNotActive', zonalShiftId: shift.zonalShiftId },
        }),
      );
    }
  });

  it('CancelZonalShift ends a shift (CANCELED) once; a second cancel is ConflictException, an unknown id ResourceNotFoundException', () => {
    // Prepare
    const { arc, shop } = world();
    const shift = start(arc);

    // Act
    const canceled = arc('cancelZonalShift', { ZonalShiftId: shift.zonalShiftId });

    // Assess
    expect(canceled).toMatchObject({ zonalShiftId: shift.zonalShiftId, status: 'CANCELED' });
    expect(() => arc('cancelZonalShift', { ZonalShiftId: shift.zonalShiftId })).toThrow(
      expect.objectContaining({ code: 'ConflictException' }),
    );
    expect(() =>
      arc('cancelZonalShift', { ZonalShiftId: '00000000-0000-4000-8000-999999999999' }),
    ).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
    expect(shop.changes.map((change) => change.call)).toEqual([
      'arc-zonal-shift:StartZonalShift',
      'arc-zonal-shift:CancelZonalShift',
    ]);
    // A new shift may start once the old one is over.
    expect(start(arc).status).toBe('ACTIVE');
  });

  it('ListZonalShifts answers ZonalShiftSummary items (shiftType ZONAL_SHIFT) filtered by status and resource; an unknown status is ValidationException InvalidStatus', () => {
    // Prepare
    const { arc, shop } = world();
    const shift = start(arc);
    arc('startZonalShift', {
      ResourceIdentifier: shop.groupArn,
      AwayFrom: AZ1,
      ExpiresIn: '6h',
      Comment: 'group',
    });

    // Act
    const forLoadBalancer = arc('listZonalShifts', { ResourceIdentifier: LB, Status: 'ACTIVE' });

    // Assess
    expect(forLoadBalancer).toEqual({
      items: [
        {
          zonalShiftId: shift.zonalShiftId,
          resourceIdentifier: LB,
          awayFrom: AZ1,
          expiryTime: shift.expiryTime,
          startTime: START,
          status: 'ACTIVE',
          comment: shift.comment,
          shiftType: 'ZONAL_SHIFT',
        },
      ],
    });
    expect(() => arc('listZonalShifts', { Status: 'RUNNING' })).toThrow(
      expect.objectContaining({
        code: 'ValidationException',
        members: { reason: 'InvalidStatus' },
      }),
    );
  });
});

describe('ARC GetManagedResource and the shop under a zonal shift (simulated)', () => {
  it('answers the required appliedWeights and zonalShifts: the shift APPLIED, weight 0 for the AZ it moves traffic away from', () => {
    // Prepare
    const { arc } = world();
    const shift = start(arc);

    // Act
    const resource = arc('getManagedResource', { ResourceIdentifier: LB });

    // Assess
    expect(resource).toMatchObject({
      arn: LB,
      appliedWeights: { 'use1-az1': 0, 'use1-az2': 1, 'use1-az3': 1 },
      zonalShifts: [
        {
          zonalShiftId: shift.zonalShiftId,
          appliedStatus: 'APPLIED',
          resourceIdentifier: LB,
          awayFrom: AZ1,
          expiryTime: shift.expiryTime,
          startTime: START,
          comment: shift.comment,
        },
      ],
    });
  });

  it('a load balancer with no healthy target outside the AZ fails open: the shift is NOT_APPLIED and traffic still reaches the AZ', () => {
    // Prepare: only us-east-1a's target is healthy.
    const { arc, shop } = world();
    for (const instance of shop.instances.values())
      if (instance.availabilityZone !== 'us-east-1a') instance.target = 'unhealthy';
    start(arc);

    // Act
    const resource = arc('getManagedResource', { ResourceIdentifier: LB }) as {
      zonalShifts: { appliedStatus: string }[];
    };

    // Assess
    expect(resource.zonalShifts.map((s) => s.appliedStatus)).toEqual(['NOT_APPLIED']);
    expect(shop.routedTargets().map((i) => i.availabilityZone)).toEqual(['us-east-1a']);
  });

  it('the load balancer stops sending requests to the shifted AZ while the shift is active, and resumes when it is cancelled or expires', async () => {
    // Prepare: us-east-1a fails gray (its target stays healthy, its requests partly fail).
    const { arc, shop, time } = world();
    shop.impairAz('us-east-1a', 24 * HOUR);
    const before = shop.failingRequestPercent();
    const routedAzs = () =>
      shop
        .routedTargets()
        .map((i) => i.availabilityZone)
        .sort();

    // Act, Assess
    expect(before).toBeCloseTo(GRAY_FAILURE_ERROR_PERCENT / 3);
    const shift = start(arc);
    expect(routedAzs()).toEqual(['us-east-1b', 'us-east-1c']);
    expect(shop.failingRequestPercent()).toBe(0);
    arc('cancelZonalShift', { ZonalShiftId: shift.zonalShiftId });
    expect(routedAzs()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    start(arc, { ExpiresIn: '10m' });
    expect(routedAzs()).toEqual(['us-east-1b', 'us-east-1c']);
    await time.runUntil(START.getTime() + 10 * 60_000);
    expect(routedAzs()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});

describe('Auto Scaling UpdateAutoScalingGroup (simulated)', () => {
  it("raises the group: its launches go to the AZs the group's own zonal shift leaves, not to the shifted one", async () => {
    // Prepare: the group (not the load balancer) is shifted away from us-east-1a.
    const { api, arc, shop, time } = world();
    arc('startZonalShift', {
      ResourceIdentifier: shop.groupArn,
      AwayFrom: AZ1,
      ExpiresIn: '6h',
      Comment: 'group',
    });

    // Act
    api.call('autoscaling', 'updateAutoScalingGroup', {
      AutoScalingGroupName: TEST_SHOP_SETTINGS.group.name,
      MaxSize: 12,
      DesiredCapacity: 6,
    });
    await time.runUntil(START.getTime() + 5 * 60_000);

    // Assess
    const byAz = (az: string) => shop.serving().filter((i) => i.availabilityZone === az).length;
    expect(shop.desired).toBe(6);
    expect([byAz('us-east-1a'), byAz('us-east-1b'), byAz('us-east-1c')]).toEqual([1, 3, 2]);
    expect(shop.changes.map((change) => change.call)).toContain(
      'autoscaling:UpdateAutoScalingGroup',
    );
  });

  it('a MaxSize below the group size without DesiredCapacity sets the desired capacity to it and terminates the surplus; desired above max is ValidationError', async () => {
    // Prepare
    const { api, shop, time } = world();
    const update = (input: Record<string, unknown>) =>
      api.call('autoscaling', 'UpdateAutoScalingGroup', { AutoScalingGroupName: 'g', ...input });

    // Act
    update({ MinSize: 1, MaxSize: 2 });
    await time.runUntil(START.getTime() + 5 * 60_000);

    // Assess: botocore autoscaling UpdateAutoScalingGroup ("an implicit call to
    // SetDesiredCapacity to set the size of the group to the new value of MaxSize").
    expect([shop.desired, shop.maxSize]).toEqual([2, 2]);
    expect(shop.serving().filter((i) => i.lifecycle === 'InService')).toHaveLength(2);
    expect(() => update({ DesiredCapacity: 5 })).toThrow(
      expect.objectContaining({ code: 'ValidationError' }),
    );
  });
});
