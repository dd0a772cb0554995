import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseAzIds } from '../../functions/lib/az-ids.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv, withGuardrailRead } from '../../functions/lib/runbook/aws-check-deps.js';
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
// Resolved at deploy (no EC2 client here); a malformed value fails the cold start.
const zoneNames = parseAzIds(env.AVAILABILITY_ZONE_IDS);
const deps = {
  ...checkDepsFromEnv(env, warnThrough(logger)),
  fleet: new AwsFleetReader(
    new AutoScalingClient({}),
    new ElasticLoadBalancingV2Client({}),
    env.AUTO_SCALING_GROUP_NAME,
    env.TARGET_GROUP_ARN,
  ),
  zoneNames: async () => zoneNames,
};

export const handler = async (event: unknown): Promise<CheckResult> => {
  const parsed = parseGuardrailEvent(event);
  const result = await checkInstanceReplacement(parsed, withGuardrailRead(deps, event));
  logger.info('guardrail verdict', {
    instanceId: parsed.input.instanceId,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
