import type { ArcAutoshiftEvent } from '../events/arc-zonal-shift.js';
import { ref, signalOf } from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import type { Signal } from './signal.js';

/**
 * ARC zonal autoshift notifications: AWS itself has started (or ended) shifting the shop's load
 * balancer or web group away from an impaired AZ. That is an AZ impairment AWS is already
 * acting on: record it and tell a person; az-evacuation must not start a second shift
 * (policy.ts). An observer notification (no resource named) concerns other accounts' resources
 * as much as the shop's and is left to AWS Health.
 */

/** The shop's ALB (`loadbalancer/app/<prefix>-alb/<id>`) or web group (`…:autoScalingGroupName/<name>`). */
const isShopResource = (inventory: ShopInventory) => (arn: string) =>
  inventory.assumeOwned ||
  arn.endsWith(`:autoScalingGroupName/${inventory.autoScalingGroupName}`) ||
  arn.includes(`:loadbalancer/app/${inventory.namePrefix}-alb/`);

const resourceOf = (arn: string) => {
  const group = /:autoScalingGroupName\/(.+)$/.exec(arn)?.[1];
  if (group !== undefined) return ref('auto-scaling-group', group);
  return ref(arn.includes(':loadbalancer/') ? 'load-balancer' : 'other', arn);
};

export const classifyArcAutoshift = (
  event: ArcAutoshiftEvent,
  inventory: ShopInventory,
): Signal | null => {
  const azId = event.detail.metadata.awayFrom ?? '';
  const shifted = (event.resources ?? []).filter(isShopResource(inventory));
  const [first, ...rest] = shifted;
  if (first === undefined || azId === '') return null;
  const azName = Object.hasOwn(inventory.azIdToName, azId) ? inventory.azIdToName[azId] : undefined;
  const az = azName ?? azId;
  const label = azName === undefined ? azId : `${azName} (${azId})`;
  const started = event['detail-type'] === 'Autoshift In Progress';
  return signalOf(event, {
    kind: 'az-impairment',
    phase: started ? 'problem' : 'recovered',
    severity: 'warning',
    resource: ref('availability-zone', az),
    related: shifted.map(resourceOf),
    partKey: `autoshift:${azId}`,
    availabilityZone: az,
    description: event.detail.metadata.notes,
    summary: started
      ? `${label}: AWS started a zonal autoshift of ${resourceOf(first).id}${rest.length > 0 ? ` and ${rest.length} more` : ''} away from it`
      : `${label}: AWS ended its zonal autoshift, traffic flows to the AZ again`,
  });
};
