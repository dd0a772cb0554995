import { readFileSync } from 'node:fs';
import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lookUpGroupInstance } from '../../functions/lib/aws/group-instances.js';
import { classify } from '../../functions/lib/core/classify.js';
import type { GroupInstance, ShopInventory } from '../../functions/lib/core/inventory.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * EC2 events of one web instance: leaving outside a scale-in, a Spot interruption warning, a
 * rebalance recommendation (fixtures: the EC2 User Guide's samples, test/fixtures/events/README).
 * They name only the instance; triage asks Auto Scaling whether it is a web instance and whether
 * the group itself is terminating it.
 */

const INSTANCE = 'i-1234567890abcdef0';

const classified = (path: string, instance?: GroupInstance) => {
  const raw = JSON.parse(
    readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'),
  );
  const result = parseIncomingEvent(raw);
  if (!result.ok || result.events[0] === undefined) throw new Error(`${path} must parse`);
  const inventory: ShopInventory = {
    ...SHOP,
    groupInstances: instance === undefined ? {} : { [INSTANCE]: instance },
  };
  return classify(result.events[0], inventory);
};

const inService: GroupInstance = { lifecycleState: 'InService', availabilityZone: 'us-east-1b' };

describe('EC2 events of a web instance', () => {
  it.each([
    ['ec2/state-change-stopping', 'stopping outside a scale-in'],
    ['ec2/state-change-shutting-down', 'shutting-down outside a scale-in'],
    ['ec2/spot-interruption-warning', 'Spot interruption in two minutes (terminate)'],
    ['ec2/rebalance-recommendation', 'Spot rebalance recommendation'],
  ])('tells about %s and lets Auto Scaling replace it', (path, what) => {
    // Act
    const signal = classified(path, inService);

    // Assess
    expect(signal).toMatchObject({
      kind: 'instance-health',
      phase: 'problem',
      resource: { type: 'ec2-instance', id: INSTANCE },
      partKey: `instance:${INSTANCE}`,
      availabilityZone: 'us-east-1b',
      selfHealing: { by: 'auto-scaling' },
    });
    expect(signal?.summary).toContain(what);
    expect(signal === null ? undefined : policyFor(signal)).toMatchObject({
      action: 'notify',
      rule: 'aws-heals-it',
    });
  });

  it('ignores the group terminating its own instance (scale-in, health replacement)', () => {
    expect(
      classified('ec2/state-change-shutting-down', { lifecycleState: 'Terminating' }),
    ).toBeNull();
    expect(
      classified('ec2/state-change-shutting-down', { lifecycleState: 'Terminating:Wait' }),
    ).toBeNull();
  });

  it('ignores an instance that is not in the web group, and a running one', () => {
    expect(classified('ec2/state-change-stopping')).toBeNull();
    expect(classified('ec2/state-change-running', inService)).toBeNull();
  });
});

describe('lookUpGroupInstance', () => {
  const autoScaling = mockClient(AutoScalingClient);
  beforeEach(() => autoScaling.reset());

  const details = (group: string) => ({
    AutoScalingInstances: [
      {
        InstanceId: INSTANCE,
        AutoScalingGroupName: group,
        AvailabilityZone: 'us-east-1b',
        LifecycleState: 'InService' as const,
        HealthStatus: 'HEALTHY',
        ProtectedFromScaleIn: false,
      },
    ],
  });

  it("returns the web group's view of the instance", async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves(details('rebound-dev-web'));

    // Act
    const found = await lookUpGroupInstance(new AutoScalingClient({}), 'rebound-dev-web', INSTANCE);

    // Assess
    expect(found).toEqual({ [INSTANCE]: inService });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeAutoScalingInstancesCommand, {
      InstanceIds: [INSTANCE],
    });
  });

  it('returns nothing for an instance of another group or of none', async () => {
    // Prepare
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .resolvesOnce(details('other-web'))
      .resolvesOnce({ AutoScalingInstances: [] });
    const client = new AutoScalingClient({});

    // Act / Assess
    expect(await lookUpGroupInstance(client, 'rebound-dev-web', INSTANCE)).toEqual({});
    expect(await lookUpGroupInstance(client, 'rebound-dev-web', INSTANCE)).toEqual({});
  });
});
