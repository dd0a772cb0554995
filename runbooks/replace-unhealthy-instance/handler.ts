import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAzIdResolver } from '../../functions/lib/aws/availability-zones.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import type { CheckResult } from '../../functions/lib/runbook/check.js';
import { ENVIRONMENT } from './environment.js';
import { checkInstanceReplacement, parseGuardrailEvent } from './steps.js';

/**
 * Task `GuardrailCheck` of runbook replace-unhealthy-instance: may it mark the instance
 * Unhealthy now? Returns the verdict for the state machine's Choice. Throws `InvalidInput`
 * for input the state machine's own checks let through; anything else it throws escalates.
 */

const logger = createLogger('rebound-replace-unhealthy-instance');
const env = ENVIRONMENT.read();
const deps = {
  ...checkDepsFromEnv(env, warnThrough(logger)),
  fleet: new AwsFleetReader(
    new AutoScalingClient({}),
    new ElasticLoadBalancingV2Client({}),
    env.AUTO_SCALING_GROUP_NAME,
    env.TARGET_GROUP_ARN,
  ),
  zoneNames: createAzIdResolver(new EC2Client({}), (error) =>
    logger.warn('DescribeAvailabilityZones failed', { error: String(error) }),
  ),
};

export const handler = async (event: unknown): Promise<CheckResult> => {
  const parsed = parseGuardrailEvent(event);
  const result = await checkInstanceReplacement(parsed, deps);
  logger.info('guardrail verdict', {
    instanceId: parsed.input.instanceId,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
