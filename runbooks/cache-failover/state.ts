import { inputAt, PLAN_ROOT, statePath } from '../../functions/lib/runbook/state-paths.js';

/**
 * Where a cache-failover run keeps what: the paths state-machine.ts reads, built from the
 * types steps.ts returns.
 */

/** The check's plan (`$.guardrail.plan`); the node fields only when it forces a failover. */
export interface CacheFailoverPlan {
  readonly replicationGroupId: string;
  /** The shard TestFailover acts on (`0001` for a cluster-mode disabled group). */
  readonly nodeGroupId: string;
  /** The primary node the forced failover moves away from. */
  readonly primaryNode?: string;
  readonly primaryAz?: string;
}

export const INPUT = inputAt<'cache-failover'>();
export const PLAN = statePath<CacheFailoverPlan>(PLAN_ROOT);
