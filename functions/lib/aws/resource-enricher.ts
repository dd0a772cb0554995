import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { ResourceState } from '../core/alert.js';
import type { ResourceEnricher } from '../core/ports.js';
import type { ResourceRef } from '../core/signal.js';

export interface ResourceEnricherClients {
  readonly autoScaling: AutoScalingClient;
  readonly rds: RDSClient;
  readonly elastiCache: ElastiCacheClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

export interface ResourceEnricherOptions {
  /** The whole description (all its Describe calls) gets this long, then the alert goes without. */
  readonly timeBudgetMs: number;
  /** The shop's target group: adds the target health of an instance, describes the group. */
  readonly targetGroupArn?: string;
}

type Lines = string[];
const MAX_MEMBERS = 12;

/** Thrown inside a lookup when the resource does not exist; becomes `unavailable`. */
class NotFound extends Error {}

const count = (values: readonly (string | undefined)[]): string => {
  const counts = new Map<string, number>();
  for (const value of values)
    counts.set(value ?? 'unknown', (counts.get(value ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(', ');
};

const targetLine = ({ Target, TargetHealth }: TargetHealthDescription): string =>
  `target ${Target?.Id ?? 'unknown'}: ${TargetHealth?.State ?? 'unknown'}` +
  (TargetHealth?.Reason === undefined
    ? ''
    : ` (${TargetHealth.Reason}${TargetHealth.Description === undefined ? '' : `: ${TargetHealth.Description}`})`);

/** Target groups arrive as an ARN or as the CloudWatch dimension `targetgroup/<name>/<id>`. */
const sameTargetGroup = (id: string, arn: string): boolean =>
  id === arn || arn.endsWith(`:${id}`) || arn.split('/')[1] === id;

/**
 * Live state of the shop's resources for alerts, from Describe calls bounded by a time budget.
 * Never throws: an error, a missing resource or the budget running out gives
 * `{ lines: [], unavailable: <why> }`, and the alert goes out without live state.
 */
export class AwsResourceEnricher implements ResourceEnricher {
  readonly #clients: ResourceEnricherClients;
  readonly #options: ResourceEnricherOptions;

  constructor(clients: ResourceEnricherClients, options: ResourceEnricherOptions) {
    this.#clients = clients;
    this.#options = options;
  }

  async describe(resource: ResourceRef): Promise<ResourceState> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<ResourceState>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ lines: [], unavailable: `no answer within ${this.#options.timeBudgetMs} ms` });
      }, this.#options.timeBudgetMs);
    });
    const lookup = this.#lookup(resource, controller.signal).then(
      (lines): ResourceState =>
        lines === undefined
          ? { lines: [], unavailable: `no live state for ${resource.type}` }
          : { lines },
      (error: unknown): ResourceState => ({ lines: [], unavailable: reason(error) }),
    );
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lines for `resource`, or undefined when there is no live state for its type. */
  async #lookup(resource: ResourceRef, abortSignal: AbortSignal): Promise<Lines | undefined> {
    switch (resource.type) {
      case 'auto-scaling-group':
        return this.#group(resource.id, abortSignal);
      case 'ec2-instance':
        return this.#instance(resource.id, abortSignal);
      case 'db-instance':
        return this.#database(resource.id, abortSignal);
      case 'cache-replication-group':
        return this.#cache(resource.id, abortSignal);
      case 'target-group': {
        const arn = this.#options.targetGroupArn;
        if (arn === undefined || !sameTargetGroup(resource.id, arn)) return undefined;
        return this.#targets(arn, undefined, abortSignal);
      }
      default:
        return undefined;
    }
  }

  async #group(name: string, abortSignal: AbortSignal): Promise<Lines> {
    const output = await this.#clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
      { abortSignal },
    );
    const group = output.AutoScalingGroups?.[0];
    if (group === undefined) throw new NotFound(`Auto Scaling group ${name} not found`);
    const instances = group.Instances ?? [];
    const inService = instances.filter((instance) => instance.LifecycleState === 'InService');
    const lines = [
      `${group.AutoScalingGroupName ?? name}: ${inService.length} InService / desired ` +
        `${group.DesiredCapacity} (min ${group.MinSize}, max ${group.MaxSize})` +
        (group.DesiredCapacity === group.MaxSize ? ' - at its maximum' : ''),
    ];
    const zones = [
      ...new Set(instances.map((instance) => instance.AvailabilityZone ?? 'unknown AZ')),
    ];
    for (const zone of zones.sort()) {
      const here = instances.filter(
        (instance) => (instance.AvailabilityZone ?? 'unknown AZ') === zone,
      );
      const unhealthy = here.filter((instance) => instance.HealthStatus !== 'Healthy');
      lines.push(
        `${zone}: ${count(here.map((instance) => instance.LifecycleState))}` +
          (unhealthy.length === 0
            ? ', all healthy'
            : `; unhealthy: ${unhealthy.map((instance) => instance.InstanceId).join(', ')}`),
      );
    }
    if (group.Status !== undefined) lines.push(`group status: ${group.Status}`);
    const suspended = (group.SuspendedProcesses ?? []).map((process) => process.ProcessName);
    if (suspended.length > 0) lines.push(`suspended processes: ${suspended.join(', ')}`);
    return lines;
  }

  async #instance(instanceId: string, abortSignal: AbortSignal): Promise<Lines> {
    const targetGroupArn = this.#options.targetGroupArn;
    const [output, targets] = await Promise.all([
      this.#clients.autoScaling.send(
        new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
        { abortSignal },
      ),
      targetGroupArn === undefined ? [] : this.#targets(targetGroupArn, instanceId, abortSignal),
    ]);
    const instance = output.AutoScalingInstances?.[0];
    return [
      instance === undefined
        ? `${instanceId}: in no Auto Scaling group (terminated, detached or not the shop's)`
        : `${instanceId}: group ${instance.AutoScalingGroupName}, ${instance.AvailabilityZone}, ` +
          `lifecycle ${instance.LifecycleState}, health ${instance.HealthStatus}`,
      ...targets,
    ];
  }

  async #targets(
    targetGroupArn: string,
    instanceId: string | undefined,
    abortSignal: AbortSignal,
  ): Promise<Lines> {
    const output = await this.#clients.elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: targetGroupArn,
        ...(instanceId === undefined ? {} : { Targets: [{ Id: instanceId }] }),
      }),
      { abortSignal },
    );
    const descriptions = output.TargetHealthDescriptions ?? [];
    const lines = [
      `target group: ${count(descriptions.map((description) => description.TargetHealth?.State)) || 'no targets'}`,
    ];
    const notHealthy = descriptions.filter(
      (description) => description.TargetHealth?.State !== 'healthy',
    );
    lines.push(...notHealthy.slice(0, MAX_MEMBERS).map(targetLine));
    return lines;
  }

  async #database(id: string, abortSignal: AbortSignal): Promise<Lines> {
    const output = await this.#clients.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }),
      { abortSignal },
    );
    const db = output.DBInstances?.[0];
    if (db === undefined) throw new NotFound(`DB instance ${id} not found`);
    const lines = [
      `${db.DBInstanceIdentifier ?? id}: ${db.DBInstanceStatus}, Multi-AZ ${db.MultiAZ ? 'yes' : 'no'}, ` +
        `in ${db.AvailabilityZone ?? 'unknown AZ'}` +
        (db.SecondaryAvailabilityZone === undefined
          ? ''
          : `, standby in ${db.SecondaryAvailabilityZone}`),
    ];
    if (db.ReadReplicaSourceDBInstanceIdentifier !== undefined) {
      lines.push(`read replica of ${db.ReadReplicaSourceDBInstanceIdentifier}`);
    }
    const replicas = db.ReadReplicaDBInstanceIdentifiers ?? [];
    if (replicas.length > 0)
      lines.push(`read replicas: ${replicas.slice(0, MAX_MEMBERS).join(', ')}`);
    for (const info of db.StatusInfos ?? []) {
      lines.push(
        `${info.StatusType ?? 'status'}: ${info.Status}${info.Normal === false ? ' (not normal)' : ''}` +
          (info.Message === undefined ? '' : ` - ${info.Message}`),
      );
    }
    return lines;
  }

  async #cache(id: string, abortSignal: AbortSignal): Promise<Lines> {
    const output = await this.#clients.elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }),
      { abortSignal },
    );
    const group = output.ReplicationGroups?.[0];
    if (group === undefined) throw new NotFound(`replication group ${id} not found`);
    const lines = [
      `${group.ReplicationGroupId ?? id}: ${group.Status}, automatic failover ` +
        `${group.AutomaticFailover ?? 'unknown'}, Multi-AZ ${group.MultiAZ ?? 'unknown'}`,
    ];
    for (const shard of (group.NodeGroups ?? []).slice(0, MAX_MEMBERS)) {
      const members = (shard.NodeGroupMembers ?? []).map(
        (member) =>
          `${member.CacheClusterId} ${member.CurrentRole ?? 'member'} (${member.PreferredAvailabilityZone ?? 'unknown AZ'})`,
      );
      lines.push(
        `shard ${shard.NodeGroupId} ${shard.Status}: ${members.join(', ') || 'no members'}`,
      );
    }
    if ((group.NodeGroups ?? []).length === 0 && (group.MemberClusters ?? []).length > 0) {
      lines.push(`member clusters: ${(group.MemberClusters ?? []).join(', ')}`);
    }
    return lines;
  }
}

const reason = (error: unknown): string => {
  if (error instanceof NotFound) return error.message;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `describe failed: ${text.slice(0, 300)}`;
};
