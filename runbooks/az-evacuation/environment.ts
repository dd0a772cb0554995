import { defineEnvironment } from '../../functions/lib/env.js';
import {
  CHECK_ENVIRONMENT,
  EXAMPLE_GROUP_NAME,
  EXAMPLE_TARGET_GROUP_ARN,
} from '../../functions/lib/environments.js';

/** The step function of az-evacuation: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...CHECK_ENVIRONMENT,
  AUTO_SCALING_GROUP_NAME: EXAMPLE_GROUP_NAME,
  TARGET_GROUP_ARN: EXAMPLE_TARGET_GROUP_ARN,
  LOAD_BALANCER_ARN:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-dev-web/0123456789abcdef',
  AVAILABILITY_ZONES: 'us-east-1a,us-east-1b,us-east-1c',
});
