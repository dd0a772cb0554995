import type { ShopInventory } from '../core/inventory.js';
import { requireEnv } from '../env.js';

const list = (name: string): string[] =>
  requireEnv(name)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * The shop's inventory from the Lambda environment the CDK construct wires (names resolved at
 * deploy). Read once per container; `azIdToName` is filled in when an event needs it.
 */
export const inventoryFromEnv = (runbooks: Readonly<Record<string, string>>): ShopInventory => {
  const [primary, ...replicas] = list('DB_INSTANCE_IDS');
  if (primary === undefined) throw new Error('DB_INSTANCE_IDS names no DB instance');
  return {
    region: requireEnv('AWS_REGION'),
    namePrefix: requireEnv('NAME_PREFIX'),
    autoScalingGroupName: requireEnv('ASG_NAME'),
    primaryDbInstanceId: primary,
    replicaDbInstanceIds: replicas,
    cacheReplicationGroupId: requireEnv('CACHE_REPLICATION_GROUP_ID'),
    runbookStateMachineNames: Object.values(runbooks).map((arn) => arn.split(':').pop() ?? arn),
    availabilityZones: list('AVAILABILITY_ZONES'),
    azIdToName: {},
    assumeOwned: false,
  };
};

/** Runbook name to state machine ARN, from the Lambda environment. */
export const runbookArnsFromEnv = (): Record<string, string> =>
  JSON.parse(requireEnv('RUNBOOK_STATE_MACHINES')) as Record<string, string>;
