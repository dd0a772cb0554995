import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAzIdResolver } from '../../functions/lib/aws/availability-zones.js';
import { requireEnv } from '../../functions/lib/env.js';
import { checkDepsFromEnv } from '../../functions/lib/runbook/aws-check-deps.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import {
  type AzEvacuationCheckDeps,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
} from './steps.js';

/**
 * Task Lambda of runbook az-evacuation: steps `check` (Check: guardrails and the plan),
 * `verify` (EvacuationVerify: do the two other AZs carry the load?) and `az-recovered`
 * (AzRecoveryVerify: may the zonal shift end?). Throws `InvalidInput` for input the state
 * machine's own checks let through; anything else it throws escalates.
 */

const log = (level: 'INFO' | 'WARN', message: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ level, message, ...fields }));

const checkDeps = checkDepsFromEnv();
const fleet = new AwsFleetReader(
  new AutoScalingClient({}),
  new ElasticLoadBalancingV2Client({}),
  requireEnv('AUTO_SCALING_GROUP_NAME'),
  requireEnv('TARGET_GROUP_ARN'),
);
const deps: AzEvacuationCheckDeps = {
  ...checkDeps,
  fleet,
  zoneNames: createAzIdResolver(new EC2Client({}), (error) =>
    log('WARN', 'DescribeAvailabilityZones failed', { error: String(error) }),
  ),
  config: {
    loadBalancerArn: requireEnv('LOAD_BALANCER_ARN'),
    availabilityZones: requireEnv('AVAILABILITY_ZONES').split(','),
  },
};

export const handler = async (event: unknown) => {
  const parsed = parseAzEvacuationEvent(event);
  const result = await (() => {
    switch (parsed.step) {
      case 'check':
        return checkAzEvacuation(parsed, deps);
      case 'verify':
        return checkEvacuation(parsed, fleet);
      case 'az-recovered':
        return checkAzRecovered(parsed, checkDeps.incidents);
    }
  })();
  log('INFO', `step ${parsed.step}`, {
    availabilityZone: parsed.input.availabilityZone,
    executionName: parsed.execution.name,
    ...result,
  });
  return result;
};
