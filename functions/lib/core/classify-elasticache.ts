import type { ElastiCacheNotificationEvent } from '../events/elasticache.js';
import { cacheGroupOf, ownsCache, ref, selfHealing, signalOf } from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import type { Signal } from './signal.js';

/** ElastiCache notifications (delivered through SNS, normalised by the parser). */
export const classifyElastiCacheNotification = (
  event: ElastiCacheNotificationEvent,
  inventory: ShopInventory,
): Signal | null => {
  const { event: name, target } = event.detail;
  const groupId = target === undefined ? undefined : cacheGroupOf(target);
  if (!ownsCache(inventory, groupId)) return null;
  const group = ref('cache-replication-group', groupId ?? inventory.cacheReplicationGroupId);
  const node = target === undefined || target === group.id ? undefined : ref('cache-node', target);
  const what = name.slice('ElastiCache:'.length);
  switch (name) {
    case 'ElastiCache:FailoverComplete':
      // AWS has already promoted a replica: record it and verify the group is healthy.
      return signalOf(event, {
        kind: 'cache-failover',
        phase: 'info',
        severity: 'warning',
        resource: group,
        related: node === undefined ? [] : [node],
        partKey: `cache-failover:${group.id}`,
        summary: `${group.id}: automatic failover to a replica completed${node === undefined ? '' : ` (${node.id})`}`,
      });
    case 'ElastiCache:CacheNodeReplaceStarted':
    case 'ElastiCache:CacheNodeReplaceComplete': {
      const started = name === 'ElastiCache:CacheNodeReplaceStarted';
      const resource = node ?? group;
      return signalOf(event, {
        kind: 'cache-degraded',
        phase: started ? 'problem' : 'recovered',
        severity: 'warning',
        resource,
        related: node === undefined ? [] : [group],
        partKey: `cache-node:${resource.id}`,
        summary: `${resource.id}: ElastiCache ${started ? 'started replacing a degraded' : 'finished replacing the'} cache node`,
        ...(started ? { selfHealing: selfHealing('elasticache', 1800) } : {}),
      });
    }
    default:
      return signalOf(event, {
        kind: 'informational',
        phase: 'info',
        severity: 'warning',
        resource: node ?? group,
        related: node === undefined ? [] : [group],
        partKey: `cache-event:${group.id}`,
        summary: `${(node ?? group).id}: ElastiCache ${what}`,
      });
  }
};
