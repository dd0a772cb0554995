import type { Ec2InstanceEvent } from '../events/ec2.js';
import { inAz, ref, selfHealing, signalOf } from './classify-common.js';
import type { GroupInstance, ShopInventory } from './inventory.js';
import type { Signal } from './signal.js';

/**
 * EC2 events of one web instance: stopped or terminated outside Auto Scaling (by a person, a
 * script or EC2 itself), a Spot interruption warning, a rebalance recommendation. Auto Scaling
 * replaces such an instance by itself (a stopped or terminated instance fails its health
 * check; capacity rebalance launches ahead of an interruption): Rebound tells and observes.
 */

/** States of an instance on its way out (`pending` and `running` are not taken). */
const LEAVING = ['stopping', 'stopped', 'shutting-down', 'terminated'];

/** The group's own terminations (scale-in, health replacement) say so in its lifecycle state. */
const isGroupTermination = (instance: GroupInstance): boolean =>
  instance.lifecycleState.startsWith('Terminating');

const describe = (event: Ec2InstanceEvent): string | undefined => {
  const { state, 'instance-action': action } = event.detail;
  switch (event['detail-type']) {
    case 'EC2 Instance State-change Notification':
      return state !== undefined && LEAVING.includes(state)
        ? `${state} outside a scale-in (stopped or terminated by hand, by a script or by EC2)`
        : undefined;
    case 'EC2 Spot Instance Interruption Warning':
      return `Spot interruption in two minutes (${action ?? 'terminate'})`;
    case 'EC2 Instance Rebalance Recommendation':
      return 'Spot rebalance recommendation (elevated risk of interruption)';
  }
};

export const classifyEc2InstanceEvent = (
  event: Ec2InstanceEvent,
  inventory: ShopInventory,
): Signal | null => {
  const id = event.detail['instance-id'];
  const known = inventory.groupInstances?.[id];
  const instance: GroupInstance | undefined =
    known ?? (inventory.assumeOwned ? { lifecycleState: 'InService' } : undefined);
  if (instance === undefined || isGroupTermination(instance)) return null;
  const what = describe(event);
  if (what === undefined) return null;
  return signalOf(event, {
    kind: 'instance-health',
    phase: 'problem',
    severity: 'warning',
    resource: ref('ec2-instance', id),
    related: [ref('auto-scaling-group', inventory.autoScalingGroupName)],
    partKey: `instance:${id}`,
    availabilityZone: instance.availabilityZone,
    summary: `${id}${inAz(instance.availabilityZone)}: ${what}`,
    selfHealing: selfHealing('auto-scaling', 900),
  });
};
