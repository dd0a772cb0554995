import { defineEnvironment } from '../../functions/lib/env.js';
import {
  EXAMPLE_AVAILABILITY_ZONE_IDS,
  FLEET_CHECK_ENVIRONMENT,
} from '../../functions/lib/environments.js';

/** The step function of az-evacuation: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...FLEET_CHECK_ENVIRONMENT,
  LOAD_BALANCER_ARN:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rebound-dev-web/0123456789abcdef',
  AVAILABILITY_ZONES: 'us-east-1a,us-east-1b,us-east-1c',
  AVAILABILITY_ZONE_IDS: EXAMPLE_AVAILABILITY_ZONE_IDS,
});
