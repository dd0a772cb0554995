import { parseAzIds } from '../az-ids.js';
import type { ShopInventory } from '../core/inventory.js';
import { requireEnv } from '../env.js';
import type { TRIAGE_ENVIRONMENT } from '../environments.js';

type TriageEnv = ReturnType<typeof TRIAGE_ENVIRONMENT.read>;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * The shop's inventory from the Lambda environment the CDK construct wires (names resolved at
 * deploy, the AZ IDs included). Read once per container.
 */
export const inventoryFromEnv = (
  env: TriageEnv,
  runbooks: Readonly<Record<string, string>>,
): ShopInventory => {
  const [primary, ...replicas] = list(env.DB_INSTANCE_IDS);
  if (primary === undefined) throw new Error('DB_INSTANCE_IDS names no DB instance');
  return {
    region: requireEnv('AWS_REGION'),
    namePrefix: env.NAME_PREFIX,
    shopAlarmNames: list(env.SHOP_ALARM_NAMES),
    autoScalingGroupName: env.AUTO_SCALING_GROUP_NAME,
    primaryDbInstanceId: primary,
    replicaDbInstanceIds: replicas,
    cacheReplicationGroupId: env.CACHE_REPLICATION_GROUP_ID,
    runbookStateMachineNames: Object.values(runbooks).map((arn) => arn.split(':').pop() ?? arn),
    availabilityZones: list(env.AVAILABILITY_ZONES),
    azIdToName: parseAzIds(env.AVAILABILITY_ZONE_IDS),
    assumeOwned: false,
  };
};

/** Runbook name to state machine ARN, from the Lambda environment. */
export const runbookArnsFromEnv = (env: TriageEnv): Record<string, string> =>
  JSON.parse(env.RUNBOOK_STATE_MACHINES) as Record<string, string>;
