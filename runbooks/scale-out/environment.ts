import { defineEnvironment } from '../../functions/lib/env.js';
import {
  CHECK_ENVIRONMENT,
  EXAMPLE_GROUP_NAME,
  EXAMPLE_TARGET_GROUP_ARN,
} from '../../functions/lib/environments.js';

/** The step function of scale-out: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...CHECK_ENVIRONMENT,
  AUTO_SCALING_GROUP_NAME: EXAMPLE_GROUP_NAME,
  TARGET_GROUP_ARN: EXAMPLE_TARGET_GROUP_ARN,
  /** The group's configured maxCapacity, which the return schedule restores. */
  NORMAL_MAX_CAPACITY: '12',
  NAME_PREFIX: 'rebound-dev',
});
