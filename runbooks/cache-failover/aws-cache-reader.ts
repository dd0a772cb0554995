import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import type { CacheGroupSnapshot, CacheReader } from './steps.js';

/** {@link CacheReader} over DescribeReplicationGroups (one group, by id). */
export class AwsCacheReader implements CacheReader {
  constructor(private readonly elastiCache: ElastiCacheClient) {}

  async describe(replicationGroupId: string): Promise<CacheGroupSnapshot> {
    const answer = await this.elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
    );
    const group = answer.ReplicationGroups?.find(
      (candidate) => candidate.ReplicationGroupId === replicationGroupId,
    );
    if (group === undefined) {
      // The shop's own group missing is a broken deployment, not a skip: let the run escalate.
      throw new Error(`ElastiCache replication group ${replicationGroupId} not found`);
    }
    return {
      replicationGroupId,
      status: group.Status ?? 'unknown',
      automaticFailover: group.AutomaticFailover ?? 'unknown',
      nodeGroups: (group.NodeGroups ?? []).map((nodeGroup) => ({
        nodeGroupId: nodeGroup.NodeGroupId ?? 'unknown',
        members: (nodeGroup.NodeGroupMembers ?? []).map((member) => ({
          cacheClusterId: member.CacheClusterId ?? 'unknown',
          role: member.CurrentRole ?? 'unknown',
          availabilityZone: member.PreferredAvailabilityZone ?? 'unknown',
        })),
      })),
    };
  }
}
