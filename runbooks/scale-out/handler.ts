import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { systemClock } from '../../functions/lib/core/ports.js';
import { wholeNumber } from '../../functions/lib/env.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { AwsGroupCapacityReader } from './aws-group-capacity-reader.js';
import { ENVIRONMENT } from './environment.js';
import {
  checkScaleOut,
  parseScaleOutEvent,
  type ScaleOutVerifyResult,
  verifyScaleOut,
} from './steps.js';

/**
 * Tasks `Check` and `CapacityVerify` of runbook scale-out. `check` returns the guardrail
 * verdict and the plan (new max and desired); `verify` says whether the new capacity serves.
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
  clock: systemClock,
  namePrefix: env.NAME_PREFIX,
};

export const handler = async (event: unknown): Promise<CheckResult | ScaleOutVerifyResult> => {
  const parsed = parseScaleOutEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkScaleOut(parsed, checkDeps)
      : await verifyScaleOut(parsed, verifyDeps);
  logger.info(`scale-out ${parsed.step}`, { executionName: parsed.execution.name, ...result });
  return result;
};
