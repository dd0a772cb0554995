import { describe, expect, it } from 'vitest';
import { APP_READY_SECONDS, BOOT_SECONDS } from '../../infra/recovery/physics.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import type { AwsEvent, SnsDelivery } from '../../sandbox/gameday/aws-events.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import { SimulatedShop } from '../../sandbox/gameday/shop.js';
import { VirtualTime } from '../../sandbox/gameday/virtual-time.js';
import { TEST_SHOP_SETTINGS } from '../support/gameday-settings.js';

/**
 * The simulated group's launch lifecycle hook (the template's LifecycleHookSpecificationList):
 * a new instance waits in Pending:Wait, out of the target group, until its app answers and its
 * user data completes the hook; the heartbeat timeout gives the default result (ABANDON:
 * terminated and launched again).
 */

const START = new Date('2026-11-27T02:00:00Z').getTime();
const WITH_HOOK: ShopSettings = {
  ...TEST_SHOP_SETTINGS,
  group: {
    ...TEST_SHOP_SETTINGS.group,
    launchHook: { name: 'app-ready', heartbeatTimeoutSeconds: 300, defaultResult: 'ABANDON' },
  },
};
const LATEST_SERVING_MS = (BOOT_SECONDS.max + APP_READY_SECONDS.max + 3 * 10) * 1000;

const world = (settings: ShopSettings) => {
  const time = new VirtualTime(new Date(START));
  const events: AwsEvent[] = [];
  const shop = new SimulatedShop(settings, 'us-east-1', time, seededRandom(1), {
    emit: (event: AwsEvent | SnsDelivery) => {
      if (!('Records' in event)) events.push(event);
    },
  });
  shop.start();
  const unhealthyHosts = () =>
    shop.samplesOf(
      'AWS/ApplicationELB',
      'UnHealthyHostCount',
      {
        LoadBalancer: settings.loadBalancerFullName,
        TargetGroup: settings.targetGroup.fullName,
      },
      START,
      time.nowMs + 1,
    );
  return { time, shop, events, unhealthyHosts };
};

const scaleOut = (shop: SimulatedShop) =>
  shop.updateGroup({ minSize: undefined, maxSize: undefined, desiredCapacity: 5 });

describe('the simulated group with a launch lifecycle hook', () => {
  it('keeps a new instance in Pending:Wait and out of the target group until its app answers: a scale-out shows no unhealthy host', async () => {
    // Prepare
    const { time, shop, events, unhealthyHosts } = world(WITH_HOOK);

    // Act
    scaleOut(shop);
    const added = [...shop.instances.values()].filter((i) => i.launchedAt === START);
    await time.runUntil(START + (BOOT_SECONDS.max + 1) * 1000);
    const afterBoot = added.map((i) => [i.lifecycle, i.target, i.appReady]);
    await time.runUntil(START + LATEST_SERVING_MS + 10_000);

    // Assess: booted, but the app not answering yet: still waiting, not registered.
    expect(added).toHaveLength(2);
    expect(afterBoot.filter(([, , ready]) => !ready)).not.toEqual([]);
    for (const [lifecycle, target, ready] of afterBoot)
      if (!ready) expect([lifecycle, target]).toEqual(['Pending:Wait', 'unused']);
    expect(added.map((i) => [i.lifecycle, i.target])).toEqual([
      ['InService', 'healthy'],
      ['InService', 'healthy'],
    ]);
    expect(Math.max(...unhealthyHosts())).toBe(0);
    // Entered InService when the app answered (grace and warm-up count from there).
    for (const instance of added)
      expect(instance.inServiceAt).toBeGreaterThanOrEqual(
        START + (BOOT_SECONDS.min + APP_READY_SECONDS.min) * 1000,
      );
    // The group's events: each launch waits on the hook, then succeeds.
    expect(events.map((e) => [e['detail-type'], e.detail.EC2InstanceId])).toEqual(
      expect.arrayContaining(
        added.flatMap((i) => [
          ['EC2 Instance-launch Lifecycle Action', i.id],
          ['EC2 Instance Launch Successful', i.id],
        ]),
      ),
    );
    const lifecycleAction = events.find(
      (e) => e['detail-type'] === 'EC2 Instance-launch Lifecycle Action',
    );
    expect(lifecycleAction?.detail).toMatchObject({
      LifecycleHookName: 'app-ready',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      AutoScalingGroupName: WITH_HOOK.group.name,
    });
  });

  it('without the hook, the same scale-out registers the instances while their app starts, and they count as unhealthy hosts', async () => {
    // Prepare
    const { time, shop, unhealthyHosts } = world(TEST_SHOP_SETTINGS);

    // Act
    scaleOut(shop);
    await time.runUntil(START + LATEST_SERVING_MS + 10_000);

    // Assess: seed 1 draws app start-ups longer than 3 failed checks 10 s apart.
    expect(Math.max(...unhealthyHosts())).toBeGreaterThan(0);
  });

  it('abandons a launch whose app never answers at the heartbeat timeout: the launch fails, the instance goes, another is launched and serves', async () => {
    // Prepare
    const { time, shop, events } = world(WITH_HOOK);
    scaleOut(shop);
    const [doomed] = [...shop.instances.values()].filter((i) => i.launchedAt === START);
    if (doomed === undefined) throw new Error('no launch');
    shop.crash(doomed.id);

    // Act
    await time.runUntil(START + 299_000);
    const beforeTimeout = doomed.lifecycle;
    await time.runUntil(START + 300_000 + LATEST_SERVING_MS + 10_000);

    // Assess
    expect(beforeTimeout).toBe('Pending:Wait');
    expect(shop.instances.has(doomed.id)).toBe(false);
    const failed = events.find((e) => e['detail-type'] === 'EC2 Instance Launch Unsuccessful');
    expect(failed?.detail).toMatchObject({
      EC2InstanceId: doomed.id,
      StatusCode: 'Cancelled',
      StatusMessage: expect.stringMatching(
        /^Instance failed to complete user's Lifecycle Action: Lifecycle Action with token \S+ was abandoned: Heartbeat Timeout$/,
      ),
    });
    expect(failed?.time).toBe(new Date(START + 300_000).toISOString().replace('.000Z', 'Z'));
    const healthy = [...shop.instances.values()].filter(
      (i) => i.lifecycle === 'InService' && i.target === 'healthy',
    );
    expect(healthy).toHaveLength(5);
  });
});
