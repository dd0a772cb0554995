import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { describeCache } from '../describe-cache.js';
import type { ResourceDescribers } from '../resource-enricher.js';

const client = new ElastiCacheClient({});

export const cacheDescriber: Pick<ResourceDescribers, 'cache'> = {
  cache: (id, abortSignal) => describeCache(client, id, abortSignal),
};
