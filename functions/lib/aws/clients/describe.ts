import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import type { ResourceEnricher } from '../../core/ports.js';
import { AwsResourceEnricher, type ResourceEnricherOptions } from '../resource-enricher.js';
import { autoScaling } from './auto-scaling.js';

export const createResourceEnricher = (options: ResourceEnricherOptions): ResourceEnricher =>
  new AwsResourceEnricher(
    {
      autoScaling,
      rds: new RDSClient({}),
      elastiCache: new ElastiCacheClient({}),
      elbv2: new ElasticLoadBalancingV2Client({}),
    },
    options,
  );
