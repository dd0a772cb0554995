import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { wholeNumber } from '../../functions/lib/env.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { AwsCacheReader } from './aws-cache-reader.js';
import { ENVIRONMENT } from './environment.js';
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

const logger = createLogger('rebound-cache-failover');
const env = ENVIRONMENT.read();
const deps = {
  ...checkDepsFromEnv(env, warnThrough(logger)),
  cache: new AwsCacheReader(new ElastiCacheClient({})),
  config: {
    replicationGroupId: env.REPLICATION_GROUP_ID,
    replicas: wholeNumber('CACHE_REPLICAS', env.CACHE_REPLICAS, 1),
  },
};

export const handler = async (event: unknown): Promise<CheckResult | CacheFailoverVerification> => {
  const parsed = parseCacheFailoverEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkCacheFailover(parsed, deps)
      : await verifyCacheFailoverStep(parsed, deps);
  logger.info(`cache-failover ${parsed.step}`, {
    replicationGroupId: parsed.input.replicationGroupId,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
