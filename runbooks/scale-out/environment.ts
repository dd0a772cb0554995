import { defineEnvironment } from '../../functions/lib/env.js';
import { FLEET_CHECK_ENVIRONMENT } from '../../functions/lib/environments.js';

/** The step function of scale-out: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...FLEET_CHECK_ENVIRONMENT,
  /** The group's configured maxCapacity, which the return restores (at least). */
  NORMAL_MAX_CAPACITY: '12',
});
