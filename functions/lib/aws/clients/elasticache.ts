import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { describeCache, unavailableCacheZones } from '../describe-cache.js';
import type { ResourceDescribers } from '../resource-enricher.js';
import type { ZoneLookups } from '../zone-locator.js';

const client = new ElastiCacheClient({});

export const cacheDescriber: Pick<ResourceDescribers, 'cache'> = {
  cache: (id, abortSignal) => describeCache(client, id, abortSignal),
};

export const cacheZones: Pick<ZoneLookups, 'unavailableCacheMembers'> = {
  unavailableCacheMembers: (id, abortSignal) => unavailableCacheZones(client, id, abortSignal),
};
