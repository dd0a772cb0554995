import type { ShopInventory } from '../../../functions/lib/core/inventory.js';

/** The dev shop as classification sees it: the names the CDK app gives its resources. */
export const SHOP: ShopInventory = {
  region: 'us-east-1',
  namePrefix: 'rebound-dev',
  // The names the tests' alarms use, as the shop stack's alarm table would deploy them.
  shopAlarmNames: ['rebound-dev-web-memory', 'rebound-dev-web-cpu-high', 'rebound-dev-x'],
  autoScalingGroupName: 'rebound-dev-web',
  primaryDbInstanceId: 'rebound-dev-db',
  replicaDbInstanceIds: ['rebound-dev-db-replica-1', 'rebound-dev-db-replica-2'],
  cacheReplicationGroupId: 'rebound-dev-cache',
  runbookStateMachineNames: ['rebound-dev-replace-unhealthy-instance'],
  availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  azIdToName: { 'use1-az2': 'us-east-1a' },
  assumeOwned: false,
};
