import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { type Lines, MAX_MEMBERS, NotFound } from './describe-lines.js';

/** A replication group's live state for alerts: status, failover settings, shards and members. */
export const describeCache = async (
  client: ElastiCacheClient,
  id: string,
  abortSignal: AbortSignal,
): Promise<Lines> => {
  const output = await client.send(
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
    lines.push(`shard ${shard.NodeGroupId} ${shard.Status}: ${members.join(', ') || 'no members'}`);
  }
  if ((group.NodeGroups ?? []).length === 0 && (group.MemberClusters ?? []).length > 0) {
    lines.push(`member clusters: ${(group.MemberClusters ?? []).join(', ')}`);
  }
  return lines;
};

/**
 * The AZs of a replication group's member clusters that are not `available` (botocore
 * elasticache CacheCluster.CacheClusterStatus: available, creating, deleted, deleting,
 * incompatible-network, modifying, rebooting cluster nodes, restore-failed, snapshotting), each
 * at its PreferredAvailabilityZone ("the name of the Availability Zone in which the cluster is
 * located or "Multiple" if the cache nodes are located in different Availability Zones": no shop
 * AZ, so the zone locator drops it). Asked right after a FailoverComplete: the failed primary ElastiCache is replacing.
 * DescribeReplicationGroups lists the members (MemberClusters); one DescribeCacheClusters each.
 */
export const unavailableCacheZones = async (
  client: ElastiCacheClient,
  replicationGroupId: string,
  abortSignal: AbortSignal,
): Promise<string[]> => {
  const groups = await client.send(
    new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
    { abortSignal },
  );
  const members = groups.ReplicationGroups?.[0]?.MemberClusters ?? [];
  const clusters = await Promise.all(
    members.map(async (id) => {
      const output = await client.send(new DescribeCacheClustersCommand({ CacheClusterId: id }), {
        abortSignal,
      });
      return output.CacheClusters ?? [];
    }),
  );
  return clusters
    .flat()
    .filter((cluster) => cluster.CacheClusterStatus !== 'available')
    .flatMap((cluster) =>
      cluster.PreferredAvailabilityZone === undefined ? [] : [cluster.PreferredAvailabilityZone],
    );
};
