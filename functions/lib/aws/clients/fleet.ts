import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeGroup, describeInstance, describeTargets } from '../describe-fleet.js';
import type { ResourceDescribers } from '../resource-enricher.js';
import { autoScaling } from './auto-scaling.js';

const elbv2 = new ElasticLoadBalancingV2Client({});

export const fleetDescribers: Pick<ResourceDescribers, 'group' | 'instance' | 'targets'> = {
  group: (name, abortSignal) => describeGroup(autoScaling, name, abortSignal),
  instance: (instanceId, targetGroupArn, abortSignal) =>
    describeInstance({ autoScaling, elbv2 }, instanceId, targetGroupArn, abortSignal),
  targets: (targetGroupArn, instanceId, abortSignal) =>
    describeTargets(elbv2, targetGroupArn, instanceId, abortSignal),
};
