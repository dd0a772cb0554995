import * as z from 'zod/mini';
import type { SignalKind } from '../../functions/lib/core/signal.js';
import {
  type Assessment,
  type CheckDeps,
  type CheckResult,
  checkRunbook,
} from '../../functions/lib/runbook/check.js';
import { ExecutionSchema, parseTaskPayload } from '../../functions/lib/runbook/events.js';
import { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import {
  type RecheckDeps,
  type RecheckResult,
  recheckAfterApproval,
} from '../../functions/lib/runbook/recheck.js';
import {
  inputShapeOf,
  type RunInput,
  requireDeployed,
} from '../../functions/lib/runbook/run-input.js';
import type { RdsFailoverPlan } from './state.js';

/**
 * Runbook `rds-failover` (runbooks/rds-failover.ts): follows a Multi-AZ failover RDS started,
 * forces one (RebootDBInstance with ForceFailover) or promotes a read replica (the disaster
 * path), then verifies. The check (`assessRdsFailover`) and the verification
 * (`verifyRdsFailover`) are pure over the ports below.
 */

export const RDS_FAILOVER_RUNBOOK = 'rds-failover';
export type RdsFailoverMode = RunInput<'rds-failover'>['mode'];

/**
 * Statuses in which a reboot or failover is already in progress (or the instance is being
 * changed): forcing another one would only queue behind it or fail.
 */
export const FAILOVER_UNDER_WAY_STATUSES: readonly string[] = [
  'rebooting',
  'modifying',
  'starting',
  'maintenance',
  'upgrading',
  'configuring-enhanced-monitoring',
];

/** The part of a DB instance the runbook reads (DescribeDBInstances). */
export interface DbInstanceSnapshot {
  readonly id: string;
  /** `DBInstanceStatus`: `available`, `rebooting`, `modifying`… */
  readonly status: string;
  readonly multiAz: boolean;
  readonly availabilityZone?: string;
  /** Where the Multi-AZ standby runs; absent while Multi-AZ is not (re)established. */
  readonly secondaryAvailabilityZone?: string;
  /** Set while the instance is a read replica. */
  readonly replicaSourceId?: string;
  /** The `read replication` entry of StatusInfos, on a replica. */
  readonly replication?: {
    /** `replicating`, `replication stop point set`, `error`, `stopped`, `terminated`. */
    readonly status: string;
    readonly normal: boolean;
    readonly message?: string;
  };
  readonly endpointAddress?: string;
}

/** Reads one DB instance; `undefined` when it does not exist. */
export interface DbInstanceReader {
  describe(dbInstanceId: string): Promise<DbInstanceSnapshot | undefined>;
}

/**
 * Each replica's current `ReplicaLag` (CloudWatch, seconds): the Maximum of its newest
 * 1-minute datapoint within the last few minutes. A replica without a recent datapoint is left
 * out: its lag is unknown, and verify does not call it caught up.
 */
export interface ReplicaLagReader {
  maxLagSeconds(replicaIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** The shop's databases, as the construct wires them. */
export interface RdsShop {
  readonly primaryId: string;
  readonly replicaIds: readonly string[];
  /** A replica lagging this much or more is not caught up. */
  readonly replicaLagThresholdSeconds: number;
  /** The SSM parameter the app reads the primary's endpoint from. */
  readonly primaryEndpointParameter: string;
}

/** The execution input as the task Lambda sees it (`input` = the whole state). */
const RdsFailoverInputSchema = z.object({
  ...inputShapeOf('rds-failover'),
  /** The check's result, on the recheck and verify steps: what the person approved. */
  guardrail: z.optional(
    z.object({
      reason: z.optional(z.string()),
      plan: z.optional(z.object({ fromAz: z.optional(z.string()), toAz: z.optional(z.string()) })),
    }),
  ),
});

/** Payload of the runbook's task Lambda: `{ step, input: $, execution: $$.Execution }`. */
export const RdsFailoverEventSchema = z.object({
  step: z.enum(['check', 'recheck', 'verify']),
  input: RdsFailoverInputSchema,
  execution: ExecutionSchema,
});
export type RdsFailoverEvent = z.infer<typeof RdsFailoverEventSchema>;
export type RdsFailoverInput = RdsFailoverEvent['input'];

/** The payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseRdsFailoverEvent = (event: unknown): RdsFailoverEvent =>
  parseTaskPayload(RdsFailoverEventSchema, event);

/** What the ValidateInput Choice checks too, with the shop's own ids (defence in depth). */
const requireShopTargets = (input: RdsFailoverInput, shop: RdsShop): void =>
  requireDeployed('rds-failover', input, {
    'primary-db': [shop.primaryId],
    'db-replica': shop.replicaIds,
  });

export interface RdsFailoverCheckDeps extends CheckDeps {
  readonly db: DbInstanceReader;
}

/** The runbook's own verdict on the live databases, before budgets and approval. */
export const assessRdsFailover = async (
  input: RdsFailoverInput,
  shop: RdsShop,
  db: DbInstanceReader,
): Promise<Assessment> => {
  const primaryId = shop.primaryId;
  if (input.mode === 'follow') {
    return {
      type: 'follow',
      action: `follow the Multi-AZ failover of ${primaryId} until the new primary serves`,
      plan: { dbInstanceId: primaryId } satisfies RdsFailoverPlan,
    };
  }

  if (input.mode === 'force') {
    const primary = await db.describe(primaryId);
    // The shop's own primary missing is a broken deployment, not a skip: let the run escalate.
    if (primary === undefined) throw new Error(`DB instance ${primaryId} not found`);
    if (FAILOVER_UNDER_WAY_STATUSES.includes(primary.status)) {
      return {
        type: 'stop',
        verdict: 'skip',
        reason: `${primaryId} is ${primary.status}: a failover or reboot is already under way`,
      };
    }
    if (!primary.multiAz || primary.secondaryAvailabilityZone === undefined) {
      return {
        type: 'stop',
        verdict: 'refused',
        reason: `${primaryId} is not Multi-AZ: a forced failover needs a standby; rebooting a Single-AZ instance only restarts it`,
      };
    }
    if (primary.status !== 'available') {
      return {
        type: 'stop',
        verdict: 'refused',
        reason: `${primaryId} is ${primary.status}: RDS reboots (and fails over) only an available instance`,
      };
    }
    const fromAz = primary.availabilityZone ?? 'its current AZ';
    const toAz = primary.secondaryAvailabilityZone;
    return {
      type: 'mutate',
      action: `force a Multi-AZ failover of ${primaryId} from ${fromAz} to its standby in ${toAz} (RebootDBInstance with ForceFailover)`,
      plan: { dbInstanceId: primaryId, fromAz, toAz } satisfies RdsFailoverPlan,
      needsApproval: true,
    };
  }

  // promote-replica: requireShopTargets made sure replicaId is one of the shop's replicas.
  const replicaId = input.replicaId ?? '';
  const replica = await db.describe(replicaId);
  if (replica === undefined) {
    return { type: 'stop', verdict: 'skip', reason: `read replica ${replicaId} no longer exists` };
  }
  if (replica.replicaSourceId === undefined) {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `${replicaId} is not a read replica any more: it was promoted already`,
    };
  }
  if (replica.status !== 'available') {
    return {
      type: 'stop',
      verdict: 'refused',
      reason: `${replicaId} is ${replica.status}: RDS promotes only an available read replica`,
    };
  }
  return {
    type: 'mutate',
    action: `promote read replica ${replicaId} to a standalone primary (disaster path: the app must be pointed at it)`,
    plan: {
      dbInstanceId: primaryId,
      replicaId,
      sourceId: replica.replicaSourceId,
    } satisfies RdsFailoverPlan,
    needsApproval: true,
  };
};

/** Manual incidents: following a failover RDS started, or a database that needs one. */
const kindOf = (mode: RdsFailoverMode): SignalKind =>
  mode === 'follow' ? 'database-failover' : 'database-degraded';

/** Step `check`: the guardrails, then {@link assessRdsFailover}. */
export const checkRdsFailover = async (
  event: RdsFailoverEvent,
  shop: RdsShop,
  deps: RdsFailoverCheckDeps,
): Promise<CheckResult> => {
  const { input, execution } = event;
  requireShopTargets(input, shop);
  return checkRunbook(
    {
      runbook: RDS_FAILOVER_RUNBOOK,
      kind: kindOf(input.mode),
      target: { type: 'db-instance', id: input.dbInstanceId },
      execution,
      ...(input.incidentId === undefined ? {} : { incidentId: input.incidentId }),
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      dryRun: input.dryRun === 'true',
    },
    () => assessRdsFailover(input, shop, deps.db),
    deps,
  );
};

/**
 * Step `recheck`, after approval: the databases read again. RDS may have failed over by itself
 * during the wait (the primary no longer runs where the person approved moving it from), a
 * reboot may be under way, or the replica may have been promoted already: then nothing is done.
 */
export const recheckRdsFailover = (
  event: RdsFailoverEvent,
  shop: RdsShop,
  deps: RecheckDeps & { readonly db: DbInstanceReader },
): Promise<RecheckResult> => {
  const { input } = event;
  requireShopTargets(input, shop);
  const approved = input.guardrail?.reason ?? `${input.mode} ${input.dbInstanceId}`;
  return recheckAfterApproval(
    RDS_FAILOVER_RUNBOOK,
    approved,
    async () => {
      const live = await assessRdsFailover(input, shop, deps.db);
      if (live.type === 'stop') return live.reason;
      const approvedFrom = input.guardrail?.plan?.fromAz;
      const liveFrom = live.type === 'mutate' ? live.plan.fromAz : undefined;
      if (input.mode === 'force' && approvedFrom !== undefined && liveFrom !== approvedFrom) {
        return `${shop.primaryId} failed over by itself while waiting: its primary runs in ${liveFrom} now, not in ${approvedFrom}`;
      }
      return undefined;
    },
    deps,
  );
};

/** What step `verify` returns (`$.verify`): the loop's verdict, a sentence, the facts. */
export interface RdsVerifyResult {
  readonly recovered: boolean;
  readonly detail: string;
  /** Where the primary (follow/force) or the promoted replica runs now. */
  readonly availabilityZone?: string;
  readonly standbyAvailabilityZone?: string;
  readonly endpointAddress?: string;
  /** Highest replica lag seen, when it was measured. */
  readonly maxReplicaLagSeconds?: number;
}

export interface RdsVerifyDeps {
  readonly db: DbInstanceReader;
  /**
   * Present (as deployed): every replica needs a lag datapoint under the threshold. Absent:
   * replication is judged from StatusInfos alone and the detail says lag was not measured.
   */
  readonly replicaLag?: ReplicaLagReader;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What the lag reader answered: `undefined` when none is wired (or there are no replicas). */
type LagReading =
  | { readonly lags: ReadonlyMap<string, number> }
  | { readonly error: string }
  | undefined;

const readLags = async (shop: RdsShop, deps: RdsVerifyDeps): Promise<LagReading> => {
  if (deps.replicaLag === undefined || shop.replicaIds.length === 0) return undefined;
  try {
    return { lags: await deps.replicaLag.maxLagSeconds(shop.replicaIds) };
  } catch (error) {
    // Not an escalation: this check is not recovered, the next poll reads the lag again.
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};

/** One replica's problem, or undefined when it is available, replicating and caught up. */
const replicaProblem = (
  id: string,
  replica: DbInstanceSnapshot | undefined,
  /** Whether the lag was read; then a replica without a lag is not known to be caught up. */
  lagMeasured: boolean,
  lag: number | undefined,
  thresholdSeconds: number,
): string | undefined => {
  if (replica === undefined) return `replica ${id} not found`;
  if (replica.status !== 'available') return `replica ${id} is ${replica.status}`;
  const replication = replica.replication;
  if (replication === undefined) return `replica ${id} reports no replication status`;
  if (replication.status !== 'replicating' || !replication.normal) {
    const why = replication.message === undefined ? '' : ` (${replication.message})`;
    return `replica ${id} replication is ${replication.status}${why}`;
  }
  if (!lagMeasured) return undefined;
  if (lag === undefined) return `replica ${id} lag unknown (no recent ReplicaLag datapoint)`;
  // MySQL and MariaDB replicas report -1 while replication is not running.
  if (lag < 0) return `replica ${id} lag unknown (ReplicaLag ${lag}: replication not active)`;
  if (lag >= thresholdSeconds) {
    return `replica ${id} lags ${lag} s (threshold ${thresholdSeconds} s)`;
  }
  return undefined;
};

/** follow / force: the primary available and Multi-AZ again, the replicas replicating. */
const verifyPrimary = async (
  input: RdsFailoverInput,
  shop: RdsShop,
  deps: RdsVerifyDeps,
): Promise<RdsVerifyResult> => {
  const [[primary, ...replicas], reading] = await Promise.all([
    Promise.all([shop.primaryId, ...shop.replicaIds].map((id) => deps.db.describe(id))),
    readLags(shop, deps),
  ]);
  if (primary === undefined) {
    return { recovered: false, detail: `${shop.primaryId} not found` };
  }
  const az = primary.availabilityZone ?? 'an unknown AZ';
  const standby = primary.secondaryAvailabilityZone;
  const where = `${primary.id} is ${primary.status} in ${az}`;
  const lags = reading !== undefined && 'lags' in reading ? reading.lags : undefined;
  const measured = [...(lags?.values() ?? [])].filter((lag) => lag >= 0);
  const maxLag = measured.length === 0 ? undefined : Math.max(...measured);
  const facts = {
    ...(primary.availabilityZone === undefined
      ? {}
      : { availabilityZone: primary.availabilityZone }),
    ...(standby === undefined ? {} : { standbyAvailabilityZone: standby }),
    ...(primary.endpointAddress === undefined ? {} : { endpointAddress: primary.endpointAddress }),
    ...(maxLag === undefined ? {} : { maxReplicaLagSeconds: maxLag }),
  };

  const problems: string[] = [];
  if (primary.status !== 'available') problems.push(`the primary is ${primary.status}`);
  if (!primary.multiAz || standby === undefined) problems.push('Multi-AZ has no standby yet');
  // A forced failover is done only once the primary runs where its standby was.
  const toAz = input.guardrail?.plan?.toAz;
  if (input.mode === 'force' && toAz !== undefined && primary.availabilityZone !== toAz) {
    problems.push(`the failover to ${toAz} has not happened yet`);
  }
  shop.replicaIds.forEach((id, index) => {
    const problem = replicaProblem(
      id,
      replicas[index],
      lags !== undefined,
      lags?.get(id),
      shop.replicaLagThresholdSeconds,
    );
    if (problem !== undefined) problems.push(problem);
  });
  if (reading !== undefined && 'error' in reading) {
    problems.push(`replica lag could not be read (${reading.error})`);
  }

  const standbyText = standby === undefined ? 'no standby' : `standby in ${standby}`;
  if (problems.length > 0) {
    return {
      recovered: false,
      detail: `${where} (${standbyText}); not recovered: ${problems.join('; ')}`,
      ...facts,
    };
  }
  let replicaText = 'no read replicas';
  if (shop.replicaIds.length > 0) {
    // Measured, every replica has a lag under the threshold (else it is not recovered).
    const lagText = maxLag === undefined ? 'lag not measured' : `max lag ${maxLag} s`;
    replicaText = `${plural(shop.replicaIds.length, 'replica')} replicating, ${lagText}`;
  }
  return { recovered: true, detail: `${where} (${standbyText}); ${replicaText}`, ...facts };
};

/** promote-replica: the replica available and standalone; the app still points at the old primary. */
const verifyPromotion = async (
  input: RdsFailoverInput,
  shop: RdsShop,
  deps: RdsVerifyDeps,
): Promise<RdsVerifyResult> => {
  const replicaId = input.replicaId ?? '';
  const replica = await deps.db.describe(replicaId);
  if (replica === undefined) return { recovered: false, detail: `${replicaId} not found` };
  const facts = {
    ...(replica.availabilityZone === undefined
      ? {}
      : { availabilityZone: replica.availabilityZone }),
    ...(replica.endpointAddress === undefined ? {} : { endpointAddress: replica.endpointAddress }),
  };
  if (replica.status !== 'available' || replica.replicaSourceId !== undefined) {
    const still =
      replica.replicaSourceId === undefined
        ? ''
        : `, still a replica of ${replica.replicaSourceId}`;
    return {
      recovered: false,
      detail: `${replicaId} is ${replica.status}${still}: the promotion is not complete`,
      ...facts,
    };
  }
  return {
    recovered: true,
    detail: `${replicaId} is a standalone primary, available at ${replica.endpointAddress ?? 'an endpoint RDS has not reported yet'}; the app's SSM parameter ${shop.primaryEndpointParameter} still names the old primary ${shop.primaryId}: a person must switch it`,
    ...facts,
  };
};

/** Step `verify`: has the database recovered? Tells a human the live state either way. */
export const verifyRdsFailover = (
  event: RdsFailoverEvent,
  shop: RdsShop,
  deps: RdsVerifyDeps,
): Promise<RdsVerifyResult> => {
  requireShopTargets(event.input, shop);
  return event.input.mode === 'promote-replica'
    ? verifyPromotion(event.input, shop, deps)
    : verifyPrimary(event.input, shop, deps);
};
