import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { wholeNumber } from '../../functions/lib/env.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv, withGuardrailRead } from '../../functions/lib/runbook/aws-check-deps.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { AwsGroupCapacityReader } from './aws-group-capacity-reader.js';
import { ENVIRONMENT } from './environment.js';
import {
  checkScaleOut,
  parseScaleOutEvent,
  type ReturnDecision,
  returnScaleOut,
  type ScaleOutVerifyResult,
  verifyScaleOut,
} from './steps.js';

/**
 * Tasks `Check`, `CapacityVerify` and `ReturnCheck` of runbook scale-out. `check` returns the
 * guardrail verdict and the plan (new max and desired); `verify` says whether the new capacity
 * serves; `return` whether the raised maximum may return, and to what.
 * Throws `InvalidInput` for input the state machine's own checks let through; anything else
 * it throws escalates.
 */

const logger = createLogger('rebound-scale-out');
const env = ENVIRONMENT.read();
const groupName = env.AUTO_SCALING_GROUP_NAME;
const autoScaling = new AutoScalingClient({});
const checkDeps = {
  ...checkDepsFromEnv(env, warnThrough(logger)),
  group: new AwsGroupCapacityReader(autoScaling, groupName),
  groupName,
  normalMax: wholeNumber('NORMAL_MAX_CAPACITY', env.NORMAL_MAX_CAPACITY, 1),
};
const verifyDeps = {
  fleet: new AwsFleetReader(
    autoScaling,
    new ElasticLoadBalancingV2Client({}),
    groupName,
    env.TARGET_GROUP_ARN,
  ),
};

const run = (parsed: ReturnType<typeof parseScaleOutEvent>, event: unknown) => {
  switch (parsed.step) {
    case 'check':
      return checkScaleOut(parsed, withGuardrailRead(checkDeps, event));
    case 'verify':
      return verifyScaleOut(parsed, verifyDeps);
    case 'return':
      return returnScaleOut(parsed, checkDeps.group);
  }
};

export const handler = async (
  event: unknown,
): Promise<CheckResult | ScaleOutVerifyResult | ReturnDecision> => {
  const parsed = parseScaleOutEvent(event);
  const result = await run(parsed, event);
  logger.info(`scale-out ${parsed.step}`, { executionName: parsed.execution.name, ...result });
  return result;
};
