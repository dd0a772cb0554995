import { defineEnvironment } from '../../functions/lib/env.js';
import {
  EXAMPLE_AVAILABILITY_ZONE_IDS,
  FLEET_CHECK_ENVIRONMENT,
} from '../../functions/lib/environments.js';

/** The step function of replace-unhealthy-instance: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...FLEET_CHECK_ENVIRONMENT,
  AVAILABILITY_ZONE_IDS: EXAMPLE_AVAILABILITY_ZONE_IDS,
});
