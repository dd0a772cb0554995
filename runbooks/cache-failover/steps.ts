import * as z from 'zod/mini';
import { cacheGroupOf } from '../../functions/lib/core/classify-common.js';
import type { RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { nonEmptyText } from '../../functions/lib/events/schema-kit.js';
import {
  type Assessment,
  type CheckDeps,
  type CheckResult,
  checkRunbook,
} from '../../functions/lib/runbook/check.js';
import { ExecutionSchema, parseTaskPayload } from '../../functions/lib/runbook/events.js';
import { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import { type RecheckResult, recheckAfterApproval } from '../../functions/lib/runbook/recheck.js';
import {
  inputShapeOf,
  type RunInput,
  requireDeployed,
} from '../../functions/lib/runbook/run-input.js';
import type { CacheFailoverPlan } from './state.js';

/**
 * Runbook `cache-failover`: follows an ElastiCache primary failover until the replication group
 * is `available` with one primary and its replicas in distinct AZs; in `force` mode (after
 * approval) the state machine starts one with TestFailover. This module is the Lambda's logic
 * (`check` and `verify` steps) over a small port; the AWS adapter is aws-cache-reader.ts.
 */

export const CACHE_FAILOVER_RUNBOOK = 'cache-failover' satisfies RunbookName;
export type CacheFailoverMode = RunInput<'cache-failover'>['mode'];
/** The only node group of a cluster-mode disabled replication group. */
export const SHOP_NODE_GROUP_ID = '0001';

/** One cache node of the group's node group, as DescribeReplicationGroups shows it. */
export interface CacheNode {
  /** `<group>-00N`. */
  readonly cacheClusterId: string;
  /** `primary`, `replica`, or `unknown` while ElastiCache has not assigned one. */
  readonly role: string;
  /** `unknown` when ElastiCache does not say. */
  readonly availabilityZone: string;
}

/** The parts of a replication group this runbook decides on. */
export interface CacheGroupSnapshot {
  readonly replicationGroupId: string;
  /** `available`, `modifying`, `snapshotting`, … */
  readonly status: string;
  /** `enabled`, `disabled`, `enabling`, `disabling`. */
  readonly automaticFailover: string;
  readonly nodeGroups: readonly {
    readonly nodeGroupId: string;
    readonly members: readonly CacheNode[];
  }[];
}

/** Reads the live replication group (DescribeReplicationGroups). */
export interface CacheReader {
  describe(replicationGroupId: string): Promise<CacheGroupSnapshot>;
}

/** What the runbook is configured with (the Lambda's environment). */
export interface CacheFailoverConfig {
  /** The shop's replication group: the only one this runbook touches. */
  readonly replicationGroupId: string;
  /** Replicas configured beside the primary (config `cacheReplicas`). */
  readonly replicas: number;
}

export interface CacheFailoverDeps extends CheckDeps {
  readonly cache: CacheReader;
  readonly config: CacheFailoverConfig;
}

const CheckInputSchema = z.object(inputShapeOf('cache-failover'));

/** Payload of the Check state: `{ step: 'check', input: $, execution: $$.Execution }`. */
const CheckEventSchema = z.object({
  step: z.literal('check'),
  input: CheckInputSchema,
  execution: ExecutionSchema,
});

/** The whole state, with the check's result: what the person approved. */
const PlannedInputSchema = z.object({
  ...inputShapeOf('cache-failover'),
  guardrail: z.object({
    reason: z.optional(z.string()),
    plan: z.object({ primaryNode: z.optional(nonEmptyText(64)) }),
  }),
});

/** Payload of the Recheck state (after approval). */
const RecheckEventSchema = z.object({
  step: z.literal('recheck'),
  input: PlannedInputSchema,
  execution: ExecutionSchema,
});

/** Payload of the FailoverVerify state. */
const VerifyEventSchema = z.object({
  step: z.literal('verify'),
  input: PlannedInputSchema,
  execution: ExecutionSchema,
});

export const CacheFailoverEventSchema = z.discriminatedUnion('step', [
  CheckEventSchema,
  RecheckEventSchema,
  VerifyEventSchema,
]);
export type CacheFailoverEvent = z.infer<typeof CacheFailoverEventSchema>;
export type CacheFailoverCheckEvent = z.infer<typeof CheckEventSchema>;
export type CacheFailoverRecheckEvent = z.infer<typeof RecheckEventSchema>;
export type CacheFailoverVerifyEvent = z.infer<typeof VerifyEventSchema>;

/** The Lambda's payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseCacheFailoverEvent = (event: unknown): CacheFailoverEvent =>
  parseTaskPayload(CacheFailoverEventSchema, event);

/** The node group TestFailover and the verification work on: `0001`, else the only one. */
const shopNodeGroup = (group: CacheGroupSnapshot) => {
  const nodeGroup =
    group.nodeGroups.find(({ nodeGroupId }) => nodeGroupId === SHOP_NODE_GROUP_ID) ??
    (group.nodeGroups.length === 1 ? group.nodeGroups[0] : undefined);
  if (nodeGroup === undefined) {
    // The shop's group is cluster-mode disabled; anything else is a broken deployment.
    throw new Error(
      `${group.replicationGroupId} has no node group ${SHOP_NODE_GROUP_ID} (node groups: ${group.nodeGroups.map(({ nodeGroupId }) => nodeGroupId).join(', ') || 'none'})`,
    );
  }
  return nodeGroup;
};

const withRole = (members: readonly CacheNode[], role: string) =>
  members.filter((member) => member.role === role);

/**
 * `force` with a node named: skip unless that node is the group's primary. ElastiCache replaces
 * a failed replica by itself, and failing over the primary would not help it.
 */
const namedNodeNotPrimary = (
  group: CacheGroupSnapshot,
  members: readonly CacheNode[],
  nodeId: string,
): Assessment | undefined => {
  const named = members.find((member) => member.cacheClusterId === nodeId);
  if (named?.role === 'primary') return undefined;
  const what =
    named === undefined
      ? `is not a node of ${group.replicationGroupId} any more (ElastiCache replaced it)`
      : `is a ${named.role} in ${named.availabilityZone}, not the primary`;
  return {
    type: 'stop',
    verdict: 'skip',
    reason: `${nodeId} ${what}: ElastiCache replaces a failed replica by itself and failing over the primary would not help; its automatic failover stays in charge`,
  };
};

/**
 * The runbook's own verdict on the live group. `follow` mutates nothing; `force` may start a
 * TestFailover only from an `available` group with automatic failover and a replica to promote,
 * and, when a node is named (`nodeId`, the one AWS Health reported), only while it is the
 * primary.
 */
export const assessCacheFailover = (
  mode: CacheFailoverMode,
  group: CacheGroupSnapshot,
  replicas: number,
  nodeId?: string,
): Assessment => {
  const id = group.replicationGroupId;
  const nodeGroup = shopNodeGroup(group);
  if (mode === 'follow') {
    return {
      type: 'follow',
      action: `follow ElastiCache's failover of ${id} until a primary and ${replicas} replicas serve in distinct AZs`,
      plan: {
        replicationGroupId: id,
        nodeGroupId: nodeGroup.nodeGroupId,
      } satisfies CacheFailoverPlan,
    };
  }
  const notPrimary =
    nodeId === undefined ? undefined : namedNodeNotPrimary(group, nodeGroup.members, nodeId);
  if (notPrimary !== undefined) return notPrimary;
  if (group.status !== 'available') {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `${id} is ${group.status}: a modification or failover is already under way`,
    };
  }
  if (group.automaticFailover !== 'enabled') {
    return {
      type: 'stop',
      verdict: 'refused',
      reason: `TestFailover needs automatic failover: ${id} has automatic failover ${group.automaticFailover}`,
    };
  }
  const [primary, ...others] = withRole(nodeGroup.members, 'primary');
  if (primary === undefined || others.length > 0) {
    return {
      type: 'stop',
      verdict: 'skip',
      reason: `${id} has ${primary === undefined ? 'no' : 'more than one'} primary: ElastiCache is already changing roles`,
    };
  }
  if (withRole(nodeGroup.members, 'replica').length === 0) {
    return {
      type: 'stop',
      verdict: 'refused',
      reason: `${id} has no replica to promote: TestFailover cannot fail over`,
    };
  }
  return {
    type: 'mutate',
    action: `fail over ${id} away from primary ${primary.cacheClusterId} in ${primary.availabilityZone} (ElastiCache TestFailover)`,
    plan: {
      replicationGroupId: id,
      nodeGroupId: nodeGroup.nodeGroupId,
      primaryNode: primary.cacheClusterId,
      primaryAz: primary.availabilityZone,
    } satisfies CacheFailoverPlan,
    needsApproval: true,
  };
};

/**
 * The shop's group, and a named node of it (`<group>-NNN`): what the ValidateInput Choice
 * cannot check.
 */
const requireShopTargets = (
  input: { readonly replicationGroupId: string; readonly nodeId?: string },
  config: CacheFailoverConfig,
): void => {
  requireDeployed('cache-failover', input, { 'cache-group': [config.replicationGroupId] });
  const { nodeId } = input;
  if (nodeId !== undefined && cacheGroupOf(nodeId) !== config.replicationGroupId) {
    throw new InvalidInputError(
      `nodeId ${nodeId} is not a node of ${config.replicationGroupId} (its nodes are ${config.replicationGroupId}-001, -002, …)`,
    );
  }
};

/** Step `check`: the guardrails and the assessment, as `$.guardrail`. */
export const checkCacheFailover = async (
  event: CacheFailoverCheckEvent,
  deps: CacheFailoverDeps,
): Promise<CheckResult> => {
  const { input, execution } = event;
  requireShopTargets(input, deps.config);
  return checkRunbook(
    {
      runbook: CACHE_FAILOVER_RUNBOOK,
      // A primary failing without a failover is the degraded case; following is a failover.
      kind: input.mode === 'force' ? 'cache-degraded' : 'cache-failover',
      target: { type: 'cache-replication-group', id: input.replicationGroupId },
      execution,
      incidentId: input.incidentId,
      reason: input.reason,
      dryRun: input.dryRun === 'true',
    },
    async () =>
      assessCacheFailover(
        input.mode,
        await deps.cache.describe(input.replicationGroupId),
        deps.config.replicas,
        input.nodeId,
      ),
    deps,
  );
};

/**
 * Step `recheck`, after approval: the group read again. ElastiCache may have promoted a replica
 * by itself during the wait (the primary is no longer the node the person approved failing
 * over from) or be changing the group: then nothing is done.
 */
export const recheckCacheFailover = (
  event: CacheFailoverRecheckEvent,
  deps: Pick<CacheFailoverDeps, 'cache' | 'config' | 'guardrails'>,
): Promise<RecheckResult> => {
  const { input } = event;
  requireShopTargets(input, deps.config);
  const approvedPrimary = input.guardrail.plan.primaryNode;
  return recheckAfterApproval(
    CACHE_FAILOVER_RUNBOOK,
    input.guardrail.reason ?? `fail over ${input.replicationGroupId}`,
    async () => {
      const group = await deps.cache.describe(input.replicationGroupId);
      const live = assessCacheFailover(input.mode, group, deps.config.replicas, input.nodeId);
      if (live.type === 'stop') return live.reason;
      const livePrimary = live.type === 'mutate' ? live.plan.primaryNode : undefined;
      if (approvedPrimary !== undefined && livePrimary !== approvedPrimary) {
        return `ElastiCache promoted ${livePrimary} by itself while waiting: ${approvedPrimary} is no longer the primary of ${input.replicationGroupId}`;
      }
      return undefined;
    },
    deps,
  );
};

/** What step `verify` answers (`$.verify`): the decision, a sentence, and the facts. */
export interface CacheFailoverVerification {
  readonly recovered: boolean;
  readonly detail: string;
  readonly status: string;
  readonly primaryNode: string | null;
  readonly primaryAz: string | null;
  readonly replicaAzs: readonly string[];
}

/**
 * Recovered: the group is `available`, its node group has exactly one primary and at least
 * `replicas` replicas, every node in its own AZ, and (after a forced failover) the primary is no
 * longer `previousPrimary`.
 */
export const verifyCacheFailover = (
  group: CacheGroupSnapshot,
  replicas: number,
  previousPrimary?: string,
): CacheFailoverVerification => {
  const id = group.replicationGroupId;
  const { members } = shopNodeGroup(group);
  const primaries = withRole(members, 'primary');
  const replicaNodes = withRole(members, 'replica');
  const [primary] = primaries;
  const problems: string[] = [];
  if (group.status !== 'available') problems.push(`status is ${group.status}`);
  if (primaries.length === 0) problems.push('no node is primary');
  if (primaries.length > 1) {
    problems.push(`${primaries.length} nodes claim primary (${names(primaries)})`);
  }
  if (replicaNodes.length < replicas) {
    problems.push(`${replicaNodes.length} of ${replicas} replicas serve`);
  }
  const sharing = sharedAzs(members);
  if (sharing.length > 0) problems.push(`nodes share an AZ: ${sharing.join('; ')}`);
  if (previousPrimary !== undefined && primary?.cacheClusterId === previousPrimary) {
    problems.push(`the primary is still ${previousPrimary}: the failover has not happened yet`);
  }
  const replicaAzs = replicaNodes.map((node) => node.availabilityZone);
  const facts = {
    status: group.status,
    primaryNode: primary?.cacheClusterId ?? null,
    primaryAz: primary?.availabilityZone ?? null,
    replicaAzs,
  };
  if (problems.length > 0) {
    const nodes = members.map(
      (node) => `${node.cacheClusterId} ${node.role} in ${node.availabilityZone}`,
    );
    return {
      recovered: false,
      detail: `${id} is not recovered yet: ${problems.join('; ')} (nodes: ${nodes.join(', ') || 'none'})`,
      ...facts,
    };
  }
  return {
    recovered: true,
    detail: `${id} is available: primary ${primary?.cacheClusterId} in ${primary?.availabilityZone}, replicas in ${replicaAzs.join(', ') || 'none'}`,
    ...facts,
  };
};

const names = (nodes: readonly CacheNode[]) => nodes.map((node) => node.cacheClusterId).join(', ');

/** `us-east-1a holds a, b` for every AZ holding more than one node (or nodes of unknown AZ). */
const sharedAzs = (members: readonly CacheNode[]): string[] => {
  const byAz = Map.groupBy(members, (node) => node.availabilityZone);
  return [...byAz]
    .filter(([, nodes]) => nodes.length > 1)
    .map(([az, nodes]) => `${az} holds ${names(nodes)}`);
};

/** Step `verify`: reads the group and decides whether the failover completed. */
export const verifyCacheFailoverStep = async (
  event: CacheFailoverVerifyEvent,
  deps: Pick<CacheFailoverDeps, 'cache' | 'config'>,
): Promise<CacheFailoverVerification> => {
  const { input } = event;
  const group = await deps.cache.describe(input.replicationGroupId);
  return verifyCacheFailover(
    group,
    deps.config.replicas,
    input.mode === 'force' ? input.guardrail.plan.primaryNode : undefined,
  );
};
