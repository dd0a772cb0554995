import { defineEnvironment } from '../../functions/lib/env.js';
import { CHECK_ENVIRONMENT } from '../../functions/lib/environments.js';

/** The step function of rds-failover: set by state-machine.ts, read by handler.ts. */
export const ENVIRONMENT = defineEnvironment({
  ...CHECK_ENVIRONMENT,
  PRIMARY_DB_INSTANCE_ID: 'rebound-dev-db',
  /** Comma-separated, or `none` (an empty variable would not deploy as "set"). */
  REPLICA_DB_INSTANCE_IDS: 'rebound-dev-db-replica-1,rebound-dev-db-replica-2',
  REPLICA_LAG_THRESHOLD_SECONDS: '30',
  PRIMARY_ENDPOINT_PARAMETER: '/rebound/dev/db/primary-endpoint',
});
