import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { wholeNumber } from '../../functions/lib/env.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv, withGuardrailRead } from '../../functions/lib/runbook/aws-check-deps.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import type { RecheckResult } from '../../functions/lib/runbook/recheck.js';
import { AwsCacheReader } from './aws-cache-reader.js';
import { ENVIRONMENT } from './environment.js';
import {
  type CacheFailoverVerification,
  checkCacheFailover,
  parseCacheFailoverEvent,
  recheckCacheFailover,
  verifyCacheFailoverStep,
} from './steps.js';

/**
 * Tasks `Check`, `Recheck` and `FailoverVerify` of runbook cache-failover. `check`: may the
 * run follow or force a failover of the shop's replication group now (`$.guardrail`)?
 * `recheck`: after the approval wait, is the failover still needed (`$.recheck`)? `verify`: has the
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

const run = (parsed: ReturnType<typeof parseCacheFailoverEvent>, event: unknown) => {
  switch (parsed.step) {
    case 'check':
      return checkCacheFailover(parsed, withGuardrailRead(deps, event));
    case 'recheck':
      return recheckCacheFailover(parsed, withGuardrailRead(deps, event));
    case 'verify':
      return verifyCacheFailoverStep(parsed, deps);
  }
};

export const handler = async (
  event: unknown,
): Promise<CheckResult | RecheckResult | CacheFailoverVerification> => {
  const parsed = parseCacheFailoverEvent(event);
  const result = await run(parsed, event);
  logger.info(`cache-failover ${parsed.step}`, {
    replicationGroupId: parsed.input.replicationGroupId,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
