import { inputAt, PLAN_ROOT, statePath } from '../../functions/lib/runbook/state-paths.js';

/**
 * Where an rds-failover run keeps what: the paths state-machine.ts reads, built from the
 * types steps.ts returns.
 */

/** The check's plan (`$.guardrail.plan`), per mode. */
export interface RdsFailoverPlan {
  readonly dbInstanceId: string;
  /** force: where the primary runs now and where the standby is (its new home). */
  readonly fromAz?: string;
  readonly toAz?: string;
  /** promote-replica: the replica to promote and the primary it replicates. */
  readonly replicaId?: string;
  readonly sourceId?: string;
}

export const INPUT = inputAt<'rds-failover'>();
export const PLAN = statePath<RdsFailoverPlan>(PLAN_ROOT);
