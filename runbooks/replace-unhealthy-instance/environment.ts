import { defineEnvironment } from '../../functions/lib/env.js';
import {
  CHECK_ENVIRONMENT,
  EXAMPLE_GROUP_NAME,
  EXAMPLE_TARGET_GROUP_ARN,
} from '../../functions/lib/environments.js';

/** The step function of replace-unhealthy-instance: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...CHECK_ENVIRONMENT,
  AUTO_SCALING_GROUP_NAME: EXAMPLE_GROUP_NAME,
  TARGET_GROUP_ARN: EXAMPLE_TARGET_GROUP_ARN,
});
