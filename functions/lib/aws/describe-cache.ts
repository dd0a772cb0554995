import {
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
