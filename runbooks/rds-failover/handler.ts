import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { requireEnv, requireIntegerEnv } from '../../functions/lib/env.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { AwsRdsReader } from './aws-rds-reader.js';
import { AwsReplicaLagReader } from './aws-replica-lag-reader.js';
import {
  checkRdsFailover,
  parseRdsFailoverEvent,
  type RdsShop,
  type RdsVerifyResult,
  verifyRdsFailover,
} from './steps.js';

/**
 * Tasks `Check` and `VerifyVerify` of runbook rds-failover: may it act (guardrails, the
 * databases' live state), and has the database recovered? Throws `InvalidInput` for input the
 * state machine's own checks let through; anything else it throws escalates.
 */

const replicaIds = requireEnv('REPLICA_DB_INSTANCE_IDS');
const shop: RdsShop = {
  primaryId: requireEnv('PRIMARY_DB_INSTANCE_ID'),
  // `none` when the shop has no read replicas (an empty variable would not deploy as "set").
  replicaIds: replicaIds === 'none' ? [] : replicaIds.split(','),
  replicaLagThresholdSeconds: requireIntegerEnv('REPLICA_LAG_THRESHOLD_SECONDS', 1),
  primaryEndpointParameter: requireEnv('PRIMARY_ENDPOINT_PARAMETER'),
};
const db = new AwsRdsReader(new RDSClient({}));
const checkDeps = { ...checkDepsFromEnv(), db };
// Replicas count as caught up only with a recent ReplicaLag datapoint under the threshold
// (one GetMetricData call per verify, bounded to a few seconds).
const verifyDeps = { db, replicaLag: new AwsReplicaLagReader(new CloudWatchClient({})) };

export const handler = async (event: unknown): Promise<CheckResult | RdsVerifyResult> => {
  const parsed = parseRdsFailoverEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkRdsFailover(parsed, shop, checkDeps)
      : await verifyRdsFailover(parsed, shop, verifyDeps);
  console.info(
    JSON.stringify({
      level: 'INFO',
      message: `rds-failover ${parsed.step}`,
      dbInstanceId: parsed.input.dbInstanceId,
      mode: parsed.input.mode,
      executionName: parsed.execution.name,
      ...result,
    }),
  );
  return result;
};
