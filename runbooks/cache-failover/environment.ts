import { defineEnvironment } from '../../functions/lib/env.js';
import { CHECK_ENVIRONMENT } from '../../functions/lib/environments.js';

/** The step function of cache-failover: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...CHECK_ENVIRONMENT,
  REPLICATION_GROUP_ID: 'rebound-dev-cache',
  /** Replicas configured beside the primary. */
  CACHE_REPLICAS: '2',
});
