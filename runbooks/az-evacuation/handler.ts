import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseAzIds } from '../../functions/lib/az-ids.js';
import { createLogger, warnThrough } from '../../functions/lib/logger.js';
import { checkDepsFromEnv, withGuardrailRead } from '../../functions/lib/runbook/aws-check-deps.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import { ENVIRONMENT } from './environment.js';
import {
  type AzEvacuationCheckDeps,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
  recheckAzEvacuation,
  shiftApplied,
} from './steps.js';

/**
 * Task Lambda of runbook az-evacuation: steps `check` (Check: guardrails and the plan),
 * `recheck` (Recheck: after the approval wait, is the evacuation still needed?),
 * `verify` (EvacuationVerify: do the two other AZs carry the load?) and `az-recovered`
 * (AzRecoveryVerify: may the zonal shift end?). Throws `InvalidInput` for input the state
 * machine's own checks let through; anything else it throws escalates.
 */

const logger = createLogger('rebound-az-evacuation');
const env = ENVIRONMENT.read();
// Resolved at deploy (no EC2 client here); a malformed value fails the cold start.
const zoneNames = parseAzIds(env.AVAILABILITY_ZONE_IDS);
const checkDeps = checkDepsFromEnv(env, warnThrough(logger));
const fleet = new AwsFleetReader(
  new AutoScalingClient({}),
  new ElasticLoadBalancingV2Client({}),
  env.AUTO_SCALING_GROUP_NAME,
  env.TARGET_GROUP_ARN,
);
const deps: Omit<AzEvacuationCheckDeps, 'guardrails'> & { readonly guardrailsPath: string } = {
  ...checkDeps,
  fleet,
  zoneNames: async () => zoneNames,
  config: {
    loadBalancerArn: env.LOAD_BALANCER_ARN,
    availabilityZones: env.AVAILABILITY_ZONES.split(','),
  },
};

export const handler = async (event: unknown) => {
  const parsed = parseAzEvacuationEvent(event);
  const result = await (() => {
    switch (parsed.step) {
      case 'check':
        return checkAzEvacuation(parsed, withGuardrailRead(deps, event));
      case 'recheck':
        return recheckAzEvacuation(parsed, withGuardrailRead(deps, event));
      case 'shift-applied':
        return shiftApplied(parsed);
      case 'verify':
        return checkEvacuation(parsed, fleet);
      case 'az-recovered':
        return checkAzRecovered(parsed, checkDeps.incidents);
    }
  })();
  logger.info(`step ${parsed.step}`, {
    availabilityZone: parsed.input.availabilityZone,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
