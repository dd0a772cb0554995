import { RDSClient } from '@aws-sdk/client-rds';
import { wholeNumber } from '../../functions/lib/env.js';
import { lazy } from '../../functions/lib/lazy.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv, withGuardrailRead } from '../../functions/lib/runbook/aws-check-deps.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import type { RecheckResult } from '../../functions/lib/runbook/recheck.js';
import { AwsRdsReader } from './aws-rds-reader.js';
import { ENVIRONMENT } from './environment.js';
import {
  checkRdsFailover,
  parseRdsFailoverEvent,
  type RdsShop,
  type RdsVerifyResult,
  type ReplicaLagReader,
  recheckRdsFailover,
  verifyRdsFailover,
} from './steps.js';

/**
 * Tasks `Check`, `Recheck` and `DatabaseVerify` of runbook rds-failover: may it act
 * (guardrails, the databases' live state), may it still act after the approval wait, and has
 * the database recovered? Throws `InvalidInput` for input the
 * state machine's own checks let through; anything else it throws escalates.
 */

const logger = createLogger('rebound-rds-failover');
const env = ENVIRONMENT.read();
const shop: RdsShop = {
  primaryId: env.PRIMARY_DB_INSTANCE_ID,
  replicaIds: env.REPLICA_DB_INSTANCE_IDS === 'none' ? [] : env.REPLICA_DB_INSTANCE_IDS.split(','),
  replicaLagThresholdSeconds: wholeNumber(
    'REPLICA_LAG_THRESHOLD_SECONDS',
    env.REPLICA_LAG_THRESHOLD_SECONDS,
    1,
  ),
  primaryEndpointParameter: env.PRIMARY_ENDPOINT_PARAMETER,
};
const db = new AwsRdsReader(new RDSClient({}));
const checkDeps = { ...checkDepsFromEnv(env, warnThrough(logger)), db };
// Replicas count as caught up only with a recent ReplicaLag datapoint under the threshold
// (one GetMetricData call per verify, bounded to a few seconds). Only verify reads it: the
// CloudWatch client loads with the first verify, not with every cold start (issue 13).
const replicaLagReader = lazy(
  async () => (await import('./replica-lag-client.js')).replicaLagReader,
);
const replicaLag: ReplicaLagReader = {
  maxLagSeconds: async (replicaIds) => (await replicaLagReader()).maxLagSeconds(replicaIds),
};
const verifyDeps = { db, replicaLag };

const run = (parsed: ReturnType<typeof parseRdsFailoverEvent>, event: unknown) => {
  switch (parsed.step) {
    case 'check':
      return checkRdsFailover(parsed, shop, withGuardrailRead(checkDeps, event));
    case 'recheck':
      return recheckRdsFailover(parsed, shop, withGuardrailRead(checkDeps, event));
    case 'verify':
      return verifyRdsFailover(parsed, shop, verifyDeps);
  }
};

export const handler = async (
  event: unknown,
): Promise<CheckResult | RecheckResult | RdsVerifyResult> => {
  const parsed = parseRdsFailoverEvent(event);
  const result = await run(parsed, event);
  logger.info(`rds-failover ${parsed.step}`, {
    dbInstanceId: parsed.input.dbInstanceId,
    mode: parsed.input.mode,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
