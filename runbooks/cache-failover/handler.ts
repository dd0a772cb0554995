import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { requireEnv, requireIntegerEnv } from '../../functions/lib/env.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { AwsCacheReader } from './aws-cache-reader.js';
import {
  type CacheFailoverVerification,
  checkCacheFailover,
  parseCacheFailoverEvent,
  verifyCacheFailoverStep,
} from './steps.js';

/**
 * Tasks `Check` and `FailoverVerify` of runbook cache-failover. `check`: may the run follow or
 * force a failover of the shop's replication group now (`$.guardrail`)? `verify`: has the
 * failover completed (`$.verify`)? Throws `InvalidInput` for input the state machine's own
 * checks let through; anything else it throws escalates.
 */

const deps = {
  ...checkDepsFromEnv(),
  cache: new AwsCacheReader(new ElastiCacheClient({})),
  config: {
    replicationGroupId: requireEnv('REPLICATION_GROUP_ID'),
    replicas: requireIntegerEnv('CACHE_REPLICAS', 1),
  },
};

export const handler = async (event: unknown): Promise<CheckResult | CacheFailoverVerification> => {
  const parsed = parseCacheFailoverEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkCacheFailover(parsed, deps)
      : await verifyCacheFailoverStep(parsed, deps);
  console.info(
    JSON.stringify({
      level: 'INFO',
      message: `cache-failover ${parsed.step}`,
      replicationGroupId: parsed.input.replicationGroupId,
      executionName: parsed.execution.name,
      ...result,
    }),
  );
  return result;
};
